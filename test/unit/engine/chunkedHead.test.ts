// The LM head + log-softmax in row chunks equals the one-shot path: same log-probs, same gradients (LoRA and a
// trainable tied head), on every backend and kernel set here — so chunking can never change a loss or a step.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, type LoadedModel } from '../../../src/trainer/engine';
import { logitChunkRows, setLogitBudget } from '../../../src/trainer/engine/chunkedHead';
import { installWasmKernels, restoreStockKernels, type KernelMode } from '../../../src/trainer/kernels';
import { loadNativeBlas } from '../../../src/trainer/kernels/nativeBlas';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { tempDir } from './helpers';

const TOL = 1e-5;
const TEXTS = ['Patient denies chest pain and fever today.', 'BP 120/80, afebrile; plan: follow up.', 'no chest pain'];

function batch(m: LoadedModel): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const seqs = TEXTS.map((t) => m.tokenizer.encode(t));
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = seqs.map((s) => [...s, ...new Array(T - s.length).fill(m.tokenizer.padId)]);
  const mask = seqs.map((s) => Array.from({ length: T }, (_, t) => (t < s.length ? 1 : 0)));
  return { ids: tf.tensor2d(ids, undefined, 'int32'), mask: tf.tensor2d(mask, undefined, 'float32') };
}

/** Masked log-prob sum, per-token log-probs and the gradient of every variable, under a logits budget. */
function run(m: LoadedModel, vars: tf.Variable[], floats: number | undefined): { lp: Float32Array; grads: Float32Array[] } {
  setLogitBudget(floats);
  const { ids, mask } = batch(m);
  try {
    const lp = tf.tidy(() => m.model.tokenLogprobs(ids, mask));
    const f = () => tf.sum(tf.mul(m.model.tokenLogprobs(ids, mask, { training: true }), mask)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(f, vars);
    const out = { lp: lp.dataSync() as Float32Array, grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
    tf.dispose([lp, value, grads]);
    return out;
  } finally {
    setLogitBudget(undefined);
    tf.dispose([ids, mask]);
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function compare(m: LoadedModel, vars: tf.Variable[]): void {
  const V = m.config.vocabSize;
  assert.ok(logitChunkRows(V) * 1 >= TEXTS.length * 20, 'the default budget holds the whole test batch in one chunk');
  const whole = run(m, vars, undefined);
  for (const rows of [1, 3, 7]) {
    const chunked = run(m, vars, rows * V);
    assert.ok(maxDiff(whole.lp, chunked.lp) < TOL, `log-probs differ with ${rows}-row chunks: ${maxDiff(whole.lp, chunked.lp)}`);
    whole.grads.forEach((g, i) => {
      assert.ok(g.some((x) => x !== 0), `${vars[i].name} has no gradient`);
      const d = maxDiff(g, chunked.grads[i]);
      assert.ok(d < TOL * Math.max(1, ...g.map(Math.abs)), `gradient of ${vars[i].name} differs with ${rows}-row chunks: ${d}`);
    });
  }
}

const hasNative = loadNativeBlas().blas !== undefined;
const SETUPS: { backend: 'cpu' | 'wasm'; kernels?: KernelMode }[] = [
  { backend: 'cpu' },
  { backend: 'wasm', kernels: 'wasm-only' },
  ...(hasNative ? [{ backend: 'wasm' as const, kernels: 'auto' as const }] : []),
];

for (const s of SETUPS) {
  describe(`chunked LM head on ${s.backend}${s.kernels ? ` (${s.kernels} kernels)` : ''}`, () => {
    before(async () => {
      await initBackend(s.backend);
      if (s.kernels) installWasmKernels(s.kernels);
    });
    after(() => {
      if (s.kernels) restoreStockKernels();
    });

    test('LoRA: chunked log-probs and gradients equal the one-shot path', async () => {
      const dir = tempDir('chunk');
      await writeTinyModel(dir, { arch: 'llama', heads: 4, kvHeads: 2, seed: 31 });
      const m = await loadModel(dir);
      try {
        m.model.lora.attach({ r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 5);
        // B starts at zero (so A would get no gradient): give it values.
        const state = m.model.lora.getState();
        for (const [k, v] of state) if (k.includes('lora_B')) v.forEach((_, i) => (v[i] = Math.sin(i + k.length) * 0.3));
        m.model.lora.setState(state);
        compare(m, m.model.lora.trainableVariables());
      } finally {
        m.model.dispose();
      }
    });

    test('trainable tied head: its gradient is summed over the chunks', async () => {
      const dir = tempDir('chunk-base');
      await writeTinyModel(dir, { arch: 'qwen2', tie: true, layers: 1, seed: 32 });
      const m = await loadModel(dir, { trainableBase: true });
      try {
        const vars = (m.model as unknown as { baseVariables(): tf.Variable[] }).baseVariables();
        compare(m, vars.filter((v) => v.name.includes('embed_tokens') || v.name.includes('model.norm')));
      } finally {
        m.model.dispose();
      }
    });
  });

  test(`chunking bounds the memory of a training step by the chunk, not by [N, vocab] (${s.backend})`, async () => {
    await initBackend(s.backend);
    if (s.kernels) installWasmKernels(s.kernels);
    const dir = tempDir('chunk-mem');
    await writeTinyModel(dir, { arch: 'llama', vocab: 8192, hidden: 32, intermediate: 64, layers: 1, heads: 2, kvHeads: 2, seed: 33 });
    const m = await loadModel(dir);
    try {
      m.model.lora.attach({ r: 2, alpha: 4, dropout: 0, targets: ['q_proj'], useRslora: false }, 3);
      const vars = m.model.lora.trainableVariables();
      const peak = async (floats: number | undefined): Promise<number> => {
        setLogitBudget(floats);
        const { ids, mask } = batch(m);
        try {
          const start = tf.memory().numBytes;
          const info = await tf.profile(() => {
            const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(m.model.tokenLogprobs(ids, mask, { training: true }), mask)) as tf.Scalar, vars);
            tf.dispose([value, grads]);
          });
          return info.peakBytes - start;
        } finally {
          setLogitBudget(undefined);
          tf.dispose([ids, mask]);
        }
      };
      const logitsBytes = (ids: number) => ids * 8192 * 4;
      const n = TEXTS.map((t) => m.tokenizer.encode(t).length);
      const N = n.length * (Math.max(...n) - 1);
      const whole = await peak(undefined);
      const chunked = await peak(4 * 8192);
      // The rest of the peak (embedding-table copies of the cpu gather, activations) is the same on both paths.
      assert.ok(whole - chunked > logitsBytes(N), `one-shot peak ${whole} B vs chunked ${chunked} B: the [${N}, 8192] logits (${logitsBytes(N)} B) must be gone`);
    } finally {
      m.model.dispose();
      if (s.kernels) restoreStockKernels();
    }
  });
}
