import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalCandidates, modelNames, sharedModel, type RunChoice } from '../../../src/core/compare/comparePlan';
import { buildComparison, parseEvalJson, taskOfDataset } from '../../../src/core/compare/evalOutput';
import { CompareHostMessage, CompareWebviewMessage } from '../../../src/core/compare/protocol';

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

test('eval JSON is read leniently, and refused with a reason when it is not an evaluation', () => {
  const ev = parseEvalJson(
    JSON.stringify({ metrics: { accuracy: 0.5, macroF1: 0.4, count: 2 }, examples: [{ id: 'a', prompt: 'p', reference: ' yes', prediction: 'yes' }, { messages: [{ role: 'user', content: 'q' }], gold: 'no', output: 'yes', correct: false }] }),
    'test',
  );
  assert.deepEqual(ev.metrics, { 'accuracy': 0.5, 'macroF1': 0.4 });
  assert.deepEqual(ev.examples[0], { key: 'a', prompt: 'p', gold: ' yes', output: 'yes' });
  assert.deepEqual(ev.examples[1], { key: '2', prompt: 'q', gold: 'no', output: 'yes', score: 0 });
  const fromDir = parseEvalJson(
    JSON.stringify({ task: 'classification', count: 2, classification: { accuracy: 1, macroF1: 1, unparsed: 0, perClass: [] }, outDir: '/runs/e' }),
    'eval y',
    (dir) => (dir === '/runs/e' ? '{"line":1,"id":"u1","prompt":"p","reference":" yes","output":" yes","predicted_label":"yes","correct":true}\n{"line":2,"pro' : undefined),
  );
  assert.deepEqual(fromDir.metrics, { 'classification.accuracy': 1, 'classification.macroF1': 1 });
  assert.deepEqual(fromDir.examples, [{ key: 'u1', prompt: 'p', gold: ' yes', output: ' yes', predicted: 'yes', score: 1 }], 'outputs.jsonl read, torn last line skipped');
  assert.throws(() => parseEvalJson('Traceback', 'eval x'), /eval x: the evaluator did not print JSON/);
  assert.throws(() => parseEvalJson('{"accuracy":1}', 'eval x'), /no per-example outputs/);
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
