import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalCandidates, modelNames, sharedModel, type RunChoice } from '../../../src/core/compare/comparePlan';
import { buildComparison, parseEvalJson, taskOfDataset } from '../../../src/core/compare/evalOutput';
import { CompareHostMessage, CompareWebviewMessage } from '../../../src/core/protocol/compare';

const sft: RunChoice = { id: 'r1', method: 'sft', model: 'datasets-sample/model', data: 'datasets-sample/triage/triage.train.sft.jsonl' };
const dpo: RunChoice = { id: 'r2', method: 'dpo', model: 'datasets-sample/model', data: 'datasets-sample/triage/triage.train.dpo.jsonl', evalData: 'mine.jsonl' };

test('eval candidates: explicit eval data first, then the held-out split beside each training file', () => {
  assert.deepEqual(evalCandidates([sft, dpo]), ['mine.jsonl', 'datasets-sample/triage/triage.eval.sft.jsonl']);
  assert.deepEqual(evalCandidates([{ ...sft, data: 'x.jsonl' }]), []);
});

test('column names and the shared base model', () => {
  assert.deepEqual(modelNames([sft, dpo]), ['base', 'SFT', 'DPO']);
  assert.deepEqual(modelNames([sft, { ...sft, id: 'r3' }]), ['base', 'SFT r1', 'SFT r3']);
  assert.equal(sharedModel([sft, dpo]), 'datasets-sample/model');
  assert.equal(sharedModel([sft, { ...dpo, model: 'other' }]), undefined);
});

test('eval JSON is read with the schema the CLI writes it with, and refused with a reason otherwise', () => {
  const summary = { task: 'classification', count: 2, classification: { accuracy: 1, macroF1: 1, unparsed: 0, count: 2, perClass: [] }, outDir: '/runs/e' };
  const fromDir = parseEvalJson(JSON.stringify(summary), 'eval y', (dir) =>
    dir === '/runs/e' ? '{"line":1,"id":"u1","prompt":"p","reference":" yes","output":" yes","predicted_label":"yes","correct":true}\n{"line":2,"pro' : undefined,
  );
  assert.deepEqual(fromDir.metrics, { 'classification.accuracy': 1, 'classification.macroF1': 1 });
  assert.deepEqual(fromDir.examples, [{ key: 'u1', prompt: 'p', gold: ' yes', output: ' yes', predicted: 'yes', score: 1 }], 'outputs.jsonl read, torn last line skipped');
  assert.throws(() => parseEvalJson('Traceback', 'eval x'), /eval x: the evaluator did not print JSON/);
  assert.throws(() => parseEvalJson('{"accuracy":1}', 'eval x'), /not an evaluation summary/);
  assert.throws(() => parseEvalJson(JSON.stringify(summary), 'eval x', () => undefined), /no per-example outputs/);
  assert.throws(() => parseEvalJson(JSON.stringify(summary), 'eval x', () => '{"line":1,"prediction":"yes"}\n'), /not an evaluation output/);
});

test('comparison joins models by example and scores the study tasks the demo way', () => {
  assert.equal(taskOfDataset('/w/datasets-sample/uti/uti.eval.sft.jsonl'), 'uti');
  assert.equal(taskOfDataset('/w/notes.jsonl'), undefined);
  const base = { metrics: { accuracy: 0.5 }, examples: [{ key: 'a', prompt: 'p1', gold: ' yes', output: 'no' }, { key: 'b', prompt: 'p2', gold: ' no', output: 'no' }] };
  const tuned = { metrics: { accuracy: 1 }, examples: [{ key: 'b', prompt: 'p2', gold: ' no', output: ' no' }, { key: 'a', prompt: 'p1', gold: ' yes', output: ' yes' }] };
  const c = buildComparison('uti.eval.sft.jsonl', [{ name: 'base', modelDir: 'm' }, { name: 'SFT', modelDir: 'm', adapterDir: 'a' }, { name: 'DPO', modelDir: 'm', adapterDir: 'd' }], [base, tuned, undefined]);
  assert.deepEqual(c.examples.map((e) => [e.key, e.outputs, e.predicted, e.scores]), [
    ['a', ['no', ' yes', null], ['no', 'yes', null], [0, 1, null]],
    ['b', ['no', ' no', null], ['no', 'no', null], [1, 1, null]],
  ]);
  assert.deepEqual(c.metrics[0], { name: 'UTI classification F1', values: [1 / 3, 1, null] });
  assert.deepEqual(c.metrics[1], { name: 'eval: accuracy', values: [0.5, 1, null] });
});

test('panel messages: unknown or malformed messages are rejected', () => {
  assert.equal(CompareWebviewMessage.safeParse({ type: 'ready' }).success, true);
  assert.equal(CompareWebviewMessage.safeParse({ type: 'export', format: 'pdf', onlyDisagreements: true }).success, false);
  assert.equal(CompareWebviewMessage.safeParse({ type: 'runScript' }).success, false);
  assert.equal(CompareHostMessage.safeParse({ type: 'progress', status: { phase: 'done', message: '', done: 1, total: 1 } }).success, true);
  assert.equal(CompareHostMessage.safeParse({ type: 'snapshot', comparison: {}, status: {} }).success, false);
});
