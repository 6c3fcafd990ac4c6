// Qwen3 and Gemma 3 log-probs versus the independent float64 reference (naiveReference.ts), per token, on every
// backend here, with and without LoRA; then each family convention slipped in the reference must be caught.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, type LoraSpec } from '../../../src/trainer/engine';
import { writeTinyModel, type TinyModelOptions } from '../../fixtures/tinyModel';
import { NaiveLlama, type Mutation } from './naiveReference';
import { BACKENDS, engineLogprobs, maxAbsDiff, tempDir } from './helpers';
import { assertParity, type ParityCase } from './parityCase';

const TOL = 1e-4;
// Longer than the sliding windows below, so the windows and the local RoPE base matter.
const TEXTS = ['Patient denies chest pain; BP 120/80.', 'Afebrile. Plan: follow up in 2 weeks, sooner if worse.'];
const ALL: LoraSpec['targets'] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

const QWEN3: TinyModelOptions = { arch: 'qwen3', heads: 4, kvHeads: 2, headDim: 12, seed: 41 };
const GEMMA3: TinyModelOptions = {
  arch: 'gemma3', hidden: 48, heads: 4, kvHeads: 2, headDim: 16, layers: 3, slidingWindowPattern: 2, slidingWindow: 6,
  queryPreAttnScalar: 24, ropeTheta: 1e6, ropeLocalBaseFreq: 10000, seed: 42,
};

const CASES: ParityCase[] = [
  { name: 'qwen3 GQA, head_dim 12 ≠ hidden/heads, F32', model: QWEN3 },
  { name: 'qwen3 BF16 tied, rope_parameters (transformers 5 config)', model: { ...QWEN3, kvHeads: 1, tie: true, dtype: 'BF16', ropeTheta: 1e6, ropeFormat: 'parameters', seed: 43 } },
  { name: 'qwen3 attention_bias, sliding-window layers', model: { ...QWEN3, layers: 3, attentionBias: true, slidingWindow: 5, layerTypes: ['full_attention', 'sliding_attention', 'sliding_attention'], seed: 44 } },
  { name: 'qwen3 + LoRA on every module', model: QWEN3, adapter: { r: 4, alpha: 8, dropout: 0, targets: ALL, useRslora: false } },
  { name: 'gemma3 F32: sliding_window_pattern, local/global RoPE, query_pre_attn_scalar', model: GEMMA3 },
  { name: 'gemma3 BF16 (√hidden in bf16), layer_types + rope_parameters', model: { ...GEMMA3, dtype: 'BF16', ropeFormat: 'parameters', layerTypes: ['full_attention', 'sliding_attention', 'sliding_attention'], seed: 45 } },
  { name: 'gemma3 F16 untied, final logit soft-capping (attn_logit_softcapping ignored, as transformers)', model: { ...GEMMA3, dtype: 'F16', tie: false, attnLogitSoftcapping: 2, finalLogitSoftcapping: 3, seed: 46 } },
  { name: 'gemma3 + rsLoRA (q, v, gate, down)', model: GEMMA3, adapter: { r: 4, alpha: 16, dropout: 0, targets: ['q_proj', 'v_proj', 'gate_proj', 'down_proj'], useRslora: true } },
];

for (const backend of BACKENDS) {
  describe(`Qwen3 / Gemma 3 parity on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });
    for (const c of CASES) {
      test(c.name, () => assertParity(c, TEXTS, TOL, 98));
    }
  });
}

describe('the family reference detects convention slips', () => {
  before(async () => {
    await initBackend('cpu');
  });
  // Each slip must move the log-probs past the parity tolerance; all but one by more than 10×.
  const slips: [string, TinyModelOptions, Mutation, number?][] = [
    ['qwen3: q/k norm after RoPE instead of before', QWEN3, { qkNormAfterRope: true }],
    ['gemma3: q/k norm after RoPE instead of before', GEMMA3, { qkNormAfterRope: true }],
    ['gemma3: norms scale by w instead of 1 + w', GEMMA3, { plainNormWeight: true }],
    ['gemma3: embeddings not scaled by √hidden', GEMMA3, { noEmbedScale: true }],
    ['gemma3 BF16: √hidden not cast to bf16', { ...GEMMA3, dtype: 'BF16' }, { embedScaleInFloat64: true }],
    ['gemma3: rope_theta on sliding layers instead of rope_local_base_freq', GEMMA3, { globalRopeOnLocalLayers: true }],
    ['gemma3: no sliding-window mask', GEMMA3, { noSlidingWindow: true }],
    ['qwen3: no sliding-window mask', { ...QWEN3, slidingWindow: 5, layerTypes: ['sliding_attention', 'sliding_attention'] }, { noSlidingWindow: true }],
    ['gemma3: 1/√head_dim instead of query_pre_attn_scalar^-½', GEMMA3, { headDimScaling: true }],
    ['gemma3: SwiGLU instead of GeGLU', GEMMA3, { siluMlp: true }],
    // gelu's erf and tanh forms differ by < 2e-4 per activation: the parity tolerance still tells them apart.
    ['gemma3: erf gelu instead of tanh gelu', GEMMA3, { erfGelu: true }, TOL],
  ];
  for (const [name, model, mut, minGap = 10 * TOL] of slips) {
    test(name, async () => {
      const dir = tempDir('famslip');
      await writeTinyModel(dir, model);
      const m = await loadModel(dir);
      try {
        const seq = m.tokenizer.encode(TEXTS[1]);
        const got = engineLogprobs(m, [seq])[0];
        const right = maxAbsDiff(got, new NaiveLlama(dir).logprobs(seq));
        const wrong = maxAbsDiff(got, new NaiveLlama(dir, mut).logprobs(seq));
        assert.ok(right < TOL, `engine vs reference ${right}`);
        assert.ok(wrong > minGap, `${name} went unnoticed: engine vs slipped reference ${wrong}`);
        console.log(`# ${name}: engine vs reference ${right.toExponential(1)}, vs slipped reference ${wrong.toExponential(1)}`);
      } finally {
        m.model.dispose();
      }
    });
  }
});
