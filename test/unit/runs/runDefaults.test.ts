import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyReviewEdit, defaultRunConfig, newRunId, parseRunConfigFile, reviewFields } from '../../../src/core/runs/runDefaults';

import { fitDefaults } from '../../../src/core/runs/fittedDefaults';

const paths = { model: '/m', data: '/d.jsonl' };
const fitted = (method: 'sft' | 'dpo') => fitDefaults({ method, parameters: 1e6, maxPositions: 1024, records: 100, lengths: [100, 120] });

test('defaults are valid configs; DPO gets beta/loss fields and a lower lr', () => {
  const sft = defaultRunConfig('sft', paths, fitted('sft'));
  const dpo = defaultRunConfig('dpo', { ...paths, adapter: '/a' }, fitted('dpo'));
  assert.equal(sft.method, 'sft');
  assert.ok(sft.steps! > 0);
  assert.ok(dpo.lr < sft.lr);
  assert.equal(dpo.adapter, '/a');
  assert.ok(!reviewFields(sft).some((f) => f.key === 'beta'));
  assert.ok(reviewFields(dpo).some((f) => f.key === 'beta') && reviewFields(dpo).some((f) => f.key === 'loss'));
  assert.ok(reviewFields(dpo).some((f) => f.key === 'rpoAlpha') && !reviewFields(sft).some((f) => f.key === 'rpoAlpha'));
  const edited = applyReviewEdit(dpo, 'rpoAlpha', '0.5');
  assert.ok(edited.ok && edited.config.rpoAlpha === 0.5);
  assert.equal(applyReviewEdit(dpo, 'rpoAlpha', '-1').ok, false);
});

test('review edits are validated and name the field', () => {
  const c = defaultRunConfig('sft', paths, fitted('sft'));
  const steps = applyReviewEdit(c, 'steps', '3');
  assert.ok(steps.ok && steps.config.steps === 3);
  const bad = applyReviewEdit(c, 'lr', 'fast');
  assert.ok(!bad.ok && /lr/.test(bad.message));
  const tooBig = applyReviewEdit(c, 'lr', '5');
  assert.ok(!tooBig.ok && /lr/.test(tooBig.message));
  const targets = applyReviewEdit(c, 'lora.targets', 'q_proj, v_proj');
  assert.ok(targets.ok && targets.config.lora.targets.join() === 'q_proj,v_proj');
  const badTarget = applyReviewEdit(c, 'lora.targets', 'q_proj,attn');
  assert.ok(!badTarget.ok && /lora\.targets/.test(badTarget.message));
  const epochs = applyReviewEdit(c, 'epochs', '2');
  assert.ok(epochs.ok && epochs.config.epochs === 2 && epochs.config.steps === undefined, 'epochs replaces steps');
  const neither = applyReviewEdit(c, 'steps', '');
  assert.ok(!neither.ok && /steps or epochs/.test(neither.message));
  assert.equal(c.steps, fitted('sft').steps, 'the original is not mutated');
});

test('a *.run.json may be a bare config or a run folder run.json', () => {
  const bare = parseRunConfigFile(JSON.stringify({ method: 'dpo', model: 'm', data: 'd.jsonl', steps: 5 }));
  assert.ok(bare.ok && bare.config.method === 'dpo' && bare.config.beta === 0.1);
  const runJson = parseRunConfigFile(JSON.stringify({ id: 'x', status: 'completed', config: { method: 'sft', model: 'm', data: 'd', epochs: 1 } }));
  assert.ok(runJson.ok && runJson.config.epochs === 1);
  const broken = parseRunConfigFile('{"method":"sft",');
  assert.ok(!broken.ok && /JSON/.test(broken.message));
  const unknown = parseRunConfigFile(JSON.stringify({ method: 'sft', model: 'm', data: 'd', steps: 1, learningRate: 1 }));
  assert.ok(!unknown.ok && /learningRate/.test(unknown.message));
});

test('run ids are sortable timestamps, made unique', () => {
  const d = new Date(2026, 10, 22, 8, 5, 9);
  assert.equal(newRunId('sft', d, () => false), '20261122-080509-sft');
  const taken = new Set(['20261122-080509-dpo', '20261122-080509-dpo-2']);
  assert.equal(newRunId('dpo', d, (x) => taken.has(x)), '20261122-080509-dpo-3');
});
