import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitDefaults, quantile, sftLearningRate } from '../../../src/core/runs/fittedDefaults';
import { SAMPLE_MODEL_SFT } from '../../../src/core/runs/sampleModelBudget';
import { defaultRunConfig } from '../../../src/core/runs/runDefaults';

const lengths = (n: number, at: (i: number) => number) => Array.from({ length: n }, (_, i) => at(i));

test('the sample model on a 400-record task: the demo\'s learning rate and batch, 16 passes, max length over the 95th percentile', () => {
  const f = fitDefaults({ method: 'sft', parameters: 1_049_728, maxPositions: 1024, records: 400, lengths: lengths(400, (i) => 100 + (i % 100)) });
  assert.equal(f.batchSize, SAMPLE_MODEL_SFT.batchSize);
  assert.equal(f.gradAccum, 1);
  assert.equal(f.steps, 16 * 50);
  assert.ok(Math.abs(f.lr - SAMPLE_MODEL_SFT.lr) / SAMPLE_MODEL_SFT.lr < 0.05, String(f.lr));
  // p95 of 100..199 is 194 → the next multiple of 32.
  assert.equal(f.maxLength, 224);
  assert.ok(f.why.some((w) => /95th percentile \(194 tokens\)/.test(w)), f.why.join('\n'));
});

test('bigger models: lower learning rates, smaller micro-batches with accumulation, three passes', () => {
  const small = sftLearningRate(1e6);
  const smol = sftLearningRate(135e6);
  const big = sftLearningRate(7e9);
  assert.ok(small > smol && smol > big, `${small} > ${smol} > ${big}`);
  assert.equal(big, 2e-4);
  const f = fitDefaults({ method: 'sft', parameters: 135e6, maxPositions: 8192, records: 1000, lengths: [300] });
  assert.equal(f.batchSize * f.gradAccum, 8);
  assert.equal(f.batchSize, 2);
  assert.equal(f.steps, 3 * 125);
});

test('max length stays within the model\'s context; tiny datasets still get a few steps; huge ones are capped', () => {
  const long = fitDefaults({ method: 'sft', parameters: 1e6, maxPositions: 512, records: 10, lengths: [4000, 5000] });
  assert.equal(long.maxLength, 512);
  assert.ok(long.why.some((w) => /capped at the model's context 512/.test(w)));
  assert.equal(fitDefaults({ method: 'sft', parameters: 1e9, maxPositions: 2048, records: 2, lengths: [10, 10] }).steps, 10);
  assert.equal(fitDefaults({ method: 'sft', parameters: 1e9, maxPositions: 2048, records: 1e6, lengths: [10] }).steps, 5000);
  assert.equal(fitDefaults({ method: 'sft', parameters: 1e9, maxPositions: 2048, records: 10, lengths: [3] }).maxLength, 64);
});

test('DPO: about one pass over the pairs, at a small fraction of the SFT rate (the demo\'s 3e-4 against 5e-3)', () => {
  const sft = fitDefaults({ method: 'sft', parameters: 1e6, maxPositions: 1024, records: 300, lengths: [150] });
  const dpo = fitDefaults({ method: 'dpo', parameters: 1e6, maxPositions: 1024, records: 300, lengths: [150] });
  assert.equal(dpo.steps, Math.ceil(300 / 8));
  assert.ok(Math.abs(dpo.lr - 3e-4) < 1e-5, String(dpo.lr));
  assert.ok(dpo.lr < sft.lr);
});

test('the review\'s config is the fitted one, with the eval split evaluated as often as checkpoints are saved', () => {
  const f = fitDefaults({ method: 'sft', parameters: 1e6, maxPositions: 1024, records: 40, lengths: [50] });
  const c = defaultRunConfig('sft', { model: '/m', data: '/t.train.jsonl', evalData: '/t.eval.jsonl' }, f);
  assert.equal(c.steps, f.steps);
  assert.equal(c.lr, f.lr);
  assert.equal(c.maxLength, f.maxLength);
  assert.equal(c.evalData, '/t.eval.jsonl');
  assert.equal(c.evalEvery, f.saveEvery);
  assert.deepEqual(c.lora.targets, f.lora.targets);
});

test('quantile uses the nearest rank', () => {
  assert.equal(quantile([], 0.95), 0);
  assert.equal(quantile([5, 1, 3], 0.5), 3);
  assert.equal(quantile(lengths(100, (i) => i + 1), 0.95), 95);
});
