import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPreflight, coveringMaxLength, runTokens, truncation } from '../../../src/core/runs/preflight';
import { measuredSpeed } from '../../../src/core/runs/measuredSpeed';
import { RunConfig } from '../../../src/core/runConfig';
import type { PreflightFacts } from '../../../src/core/protocol/preflightFacts';

const facts = (method: 'sft' | 'dpo', examples: [number, number, number][]): PreflightFacts => ({
  model: { parameters: 1_049_728, maxPositions: 1024, shape: { vocabSize: 2048, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 2, headDim: 32, intermediateSize: 384, tieWordEmbeddings: true, attentionBias: false } },
  backend: 'wasm',
  memory: { storedBytesPerWeight: 4, nativeWeights: true, logitChunkFloats: 1 << 23, heapBytes: 4 * 1024 ** 3, availableBytes: 8 * 1024 ** 3 },
  data: { method, examples },
});
const config = (over: Partial<RunConfig> = {}) => RunConfig.parse({ method: 'sft', model: '/m', data: '/d.train.jsonl', steps: 10, batchSize: 2, maxLength: 100, ...over });

test('SFT: an example over max length loses the end of its answer; one whose prompt alone fills it keeps none', () => {
  const f = facts('sft', [[1, 90, 80], [2, 120, 90], [3, 150, 110], [4, 60, 50]]);
  const t = truncation(f, 100);
  assert.deepEqual(t, { over: 2, answersCut: 2, answersLost: 1, lines: [2, 3] });
  assert.equal(coveringMaxLength(f, 100), 160);
});

test('DPO: the prompt gives way first (down to half of max length), so a long prompt with a short answer keeps its answer', () => {
  // prompt 150 + answer 30 > 100: the prompt keeps 70, the answer fits.
  const f = facts('dpo', [[1, 180, 150], [2, 200, 60]]);
  const t = truncation(f, 100);
  assert.equal(t.over, 2);
  assert.equal(t.answersCut, 1, 'only the pair whose answer (140) exceeds what is left');
  assert.deepEqual(t.lines, [2]);
});

test('the pre-flight rows: records, percentiles vs max length, memory, time from a measured speed, eval split, adapter, PHI; cut answers must be accepted', () => {
  const f = facts('sft', [[1, 90, 80], [2, 120, 90], [3, 60, 50], [4, 60, 50]]);
  const p = buildPreflight(config({ evalData: '/d/t.eval.jsonl', adapter: '/runs/x/adapter' }), f, { runName: '20261130-1200-sft', phi: { findings: 2, asErrors: false }, speed: { tokensPerSecond: 100, from: 'in run a' } });
  const row = (label: string) => p.rows.find((r) => r.label === label);
  assert.equal(row('Run name')?.value, '20261130-1200-sft');
  assert.equal(row('Records')?.value, '4 examples');
  assert.equal(row('Truncation')?.level, 'warning');
  assert.match(row('Truncation')!.value, /1 of 4 examples longer than 100 tokens; 1 lose part of the answer/);
  assert.match(row('Truncation')!.detail!, /p50 60 · p95 120 · max 120 vs max length 100; e\.g\. line 2/);
  assert.match(row('Memory')!.value, /GB peak of 8\.00 GB available/);
  assert.equal(row('Memory')?.level, 'info');
  // 10 steps × 2 × mean(90, 100, 60, 60) = 1550 tokens at 100 tokens/s.
  assert.equal(runTokens(f, config()), 1550);
  assert.equal(row('Time')?.value, '≈ 16 s');
  assert.equal(row('Eval split')?.value, 't.eval.jsonl');
  assert.equal(row('Starting adapter')?.value, 'x');
  assert.match(row('PHI')!.value, /2 possible identifier/);
  assert.match(p.mustAccept ?? '', /1 of 4 training examples would lose part of their answer at max length 100/);
});

test('no cut answers: nothing to accept; without a measured speed the time says so; memory that cannot fit is a warning', () => {
  const f = facts('sft', [[1, 90, 80]]);
  const ok = buildPreflight(config(), f, { runName: 'r' });
  assert.equal(ok.mustAccept, undefined);
  assert.match(ok.rows.find((r) => r.label === 'Token lengths')!.value, /nothing truncated/);
  assert.match(ok.rows.find((r) => r.label === 'Time')!.value, /not measured yet/);
  assert.equal(ok.rows.find((r) => r.label === 'PHI')?.level, 'warning', 'unchecked data is not called clean');
  const tight = buildPreflight(config(), { ...f, memory: { ...f.memory, availableBytes: 64 * 1024 ** 2 } }, { runName: 'r' });
  assert.equal(tight.rows.find((r) => r.label === 'Memory')?.level, 'warning');
});

test('measured speed: the median tokens/s of an excerpt, torn lines skipped', () => {
  const text = 'ns_per_second":5}\n{"step":1,"tokens_per_second":100}\n{"step":2,"tokens_per_second":300}\n{"step":3,"tokens_per_second":200}\n{"step":4,"eval_loss":1}\n{"step":5,"tok';
  assert.equal(measuredSpeed(text, 'tokens_per_second'), 200);
  assert.equal(measuredSpeed('{"step":1}\n', 'tokens_per_second'), undefined);
});
