// Engine log-probs versus an independent float64 reference, per token, on every backend available here.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, type LoraSpec } from '../../../src/trainer/engine';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { NaiveLlama, type Mutation } from './naiveReference';
import { BACKENDS, engineLogprobs, maxAbsDiff, tempDir, writeRandomAdapter } from './helpers';
import { assertParity, type ParityCase } from './parityCase';

const TOL = 1e-4;
const TEXTS = ['Patient denies chest pain.', 'BP 120/80, afebrile; plan: follow up in 2 weeks.'];

const ALL: LoraSpec['targets'] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const CASES: ParityCase[] = [
  { name: 'llama GQA F32', model: { arch: 'llama', heads: 4, kvHeads: 2, seed: 11 } },
  { name: 'qwen2 biases BF16 sharded tied', model: { arch: 'qwen2', heads: 4, kvHeads: 1, tie: true, dtype: 'BF16', shards: 3, seed: 12, ropeTheta: 1e6 } },
  { name: 'mistral F16 no GQA', model: { arch: 'mistral', heads: 2, kvHeads: 2, dtype: 'F16', seed: 13 } },
  {
    name: 'llama 3 rope scaling (all three frequency bands)',
    model: { arch: 'llama', heads: 4, kvHeads: 2, seed: 16, ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 } },
  },
  { name: 'llama attention_bias (q, k, v and o biases)', model: { arch: 'llama', heads: 4, kvHeads: 2, seed: 18, attentionBias: true } },
  { name: 'linear rope scaling', model: { arch: 'llama', heads: 4, kvHeads: 4, seed: 17, ropeScaling: { type: 'linear', factor: 4 } } },
  { name: 'llama GQA + adapter (all modules)', model: { arch: 'llama', heads: 4, kvHeads: 2, seed: 14 }, adapter: { r: 4, alpha: 8, dropout: 0, targets: ALL, useRslora: false } },
  { name: 'qwen2 + rsLoRA adapter (q,v)', model: { arch: 'qwen2', heads: 4, kvHeads: 2, layers: 3, seed: 15 }, adapter: { r: 4, alpha: 16, dropout: 0.1, targets: ['q_proj', 'v_proj'], useRslora: true } },
];

for (const backend of BACKENDS) {
  describe(`parity on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });
    for (const c of CASES) {
      test(c.name, () => assertParity(c, TEXTS, TOL, 99));
    }

    test('folding an adapter equals applying it; a trainable adapter on top can be switched off', async () => {
      const dir = tempDir('fold');
      await writeTinyModel(dir, { arch: 'llama', seed: 21 });
      const m = await loadModel(dir);
      try {
        const adir = path.join(dir, 'sft');
        const spec: LoraSpec = { r: 2, alpha: 4, dropout: 0, targets: ['q_proj', 'v_proj', 'down_proj'], useRslora: false };
        writeRandomAdapter(adir, m.config, spec, 5);
        await m.model.lora.fold(adir);
        m.model.lora.attach({ r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 3);
        const ref = new NaiveLlama(dir);
        ref.addAdapter(adir);
        const seqs = [m.tokenizer.encode(TEXTS[0])];
        // B = 0 at attach: the fresh adapter is a no-op whether on or off.
        assert.ok(maxAbsDiff(engineLogprobs(m, seqs)[0], ref.logprobs(seqs[0])) < TOL);
        m.model.lora.setEnabled(false);
        assert.ok(maxAbsDiff(engineLogprobs(m, seqs)[0], ref.logprobs(seqs[0])) < TOL);
      } finally {
        m.model.dispose();
      }
    });
  });
}

describe('the parity reference detects convention slips', () => {
  before(async () => {
    await initBackend('cpu');
  });
  const slips: [string, Mutation][] = [
    ['interleaved RoPE instead of rotate-half', { interleavedRope: true }],
    ['GQA head j → kv head j mod nKv', { gqaModulo: true }],
    ['alpha/r instead of alpha/√r with rsLoRA', { ignoreRslora: true }],
  ];
  for (const [name, mut] of slips) {
    test(name, async () => {
      const dir = tempDir('slip');
      await writeTinyModel(dir, { arch: 'llama', heads: 4, kvHeads: 2, seed: 31 });
      const m = await loadModel(dir);
      try {
        const adir = path.join(dir, 'adapter');
        writeRandomAdapter(adir, m.config, { r: 4, alpha: 16, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: true }, 7);
        await m.model.lora.loadTrainable(adir);
        const seq = m.tokenizer.encode(TEXTS[1]);
        const got = engineLogprobs(m, [seq])[0];
        const right = new NaiveLlama(dir);
        right.addAdapter(adir);
        const wrong = new NaiveLlama(dir, mut);
        wrong.addAdapter(adir);
        assert.ok(maxAbsDiff(got, right.logprobs(seq)) < TOL);
        assert.ok(maxAbsDiff(got, wrong.logprobs(seq)) > 100 * TOL, `${name} went unnoticed`);
      } finally {
        m.model.dispose();
      }
    });
  }
});
