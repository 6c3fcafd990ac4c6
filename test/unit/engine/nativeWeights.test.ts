// Frozen base weights held by the native addon in their stored precision equal the float32-on-the-heap path:
// same log-probs, LoRA gradients, folded adapters and greedy generation, for F32, BF16 and F16 files — and they
// really leave the wasm heap. Skips without the addon (the heap path is then the only one).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { generate, loadModel, LlamaModel, type LoadedModel } from '../../../src/trainer/engine';
import { installWasmKernels } from '../../../src/trainer/kernels';
import { loadNativeBlas } from '../../../src/trainer/kernels/nativeBlas';
import { createNativeMatrix, frozenInputGrad, frozenLinear, frozenTargetLogprobs } from '../../../src/trainer/kernels/frozenWeights';
import { floatToBf16, floatToHalf } from '../../../src/trainer/engine/safetensors';
import { writeTinyModel, type TinyModelOptions } from '../../fixtures/tinyModel';
import { tempDir, writeRandomAdapter } from './helpers';

const hasNative = loadNativeBlas().blas !== undefined;
const skip = hasNative ? false : 'native addon not built (npm run build:native)';

async function withNativeWeights<T>(on: boolean, f: () => Promise<T>): Promise<T> {
  const old = process.env.CLINICAL_FT_NATIVE_WEIGHTS;
  process.env.CLINICAL_FT_NATIVE_WEIGHTS = on ? '1' : '0';
  try {
    return await f();
  } finally {
    if (old === undefined) delete process.env.CLINICAL_FT_NATIVE_WEIGHTS;
    else process.env.CLINICAL_FT_NATIVE_WEIGHTS = old;
  }
}

interface Outcome {
  lp: number[];
  grads: number[][];
  generated: number[];
  nativeBytes: number;
  heapBytes: number;
}

async function outcome(dir: string, native: boolean, withFold: boolean): Promise<Outcome> {
  return withNativeWeights(native, async () => {
    const before = tf.memory().numBytes;
    const m: LoadedModel = await loadModel(dir);
    const heapBytes = tf.memory().numBytes - before;
    try {
      if (withFold) {
        const adir = path.join(dir, 'sft');
        writeRandomAdapter(adir, m.config, { r: 2, alpha: 4, dropout: 0, targets: ['q_proj', 'v_proj', 'down_proj'], useRslora: false }, 5);
        await m.model.lora.fold(adir);
      }
      m.model.lora.attach({ r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'k_proj', 'o_proj', 'up_proj'], useRslora: false }, 2);
      const st = m.model.lora.getState();
      for (const [k, v] of st) if (k.includes('lora_B')) st.set(k, v.map((_, i) => Math.sin(i) * 0.2));
      m.model.lora.setState(st);
      const seqs = [m.tokenizer.encode('chest pain, no fever today'), m.tokenizer.encode('BP normal. Plan: follow up')].map((r) => r.slice(0, 14));
      const T = Math.min(...seqs.map((s) => s.length));
      const ids = tf.tensor2d(seqs.map((s) => s.slice(0, T)), undefined, 'int32');
      const mask = tf.tensor2d([Array(T).fill(1), [...Array(T - 3).fill(1), 0, 0, 0]]);
      const lp = Array.from(tf.tidy(() => m.model.tokenLogprobs(ids, mask)).dataSync());
      const vars = m.model.lora.trainableVariables();
      const { value, grads } = tf.variableGrads(() => tf.sum(m.model.tokenLogprobs(ids, mask, { training: true })) as tf.Scalar, vars);
      const g = vars.map((v) => Array.from(grads[v.name].dataSync()));
      tf.dispose([value, grads, ids, mask]);
      const gen = await generate(m, seqs[0].slice(0, 5), { maxNewTokens: 6, temperature: 0, topP: 1, seed: 1, stopIds: [] });
      return { lp, grads: g, generated: gen.ids, nativeBytes: (m.model as LlamaModel).nativeWeightBytes(), heapBytes };
    } finally {
      m.model.dispose();
    }
  });
}

describe('frozen base weights in native memory', () => {
  before(async () => {
    await initBackend('wasm');
    installWasmKernels('auto');
  });

  const cases: [string, TinyModelOptions, boolean][] = [
    ['F32, untied head', { arch: 'llama', heads: 4, kvHeads: 2, seed: 41 }, false],
    ['BF16, tied head, folded SFT adapter', { arch: 'qwen2', heads: 4, kvHeads: 1, tie: true, dtype: 'BF16', seed: 42 }, true],
    ['F16, sharded', { arch: 'mistral', heads: 2, kvHeads: 2, dtype: 'F16', shards: 2, seed: 43 }, false],
  ];
  for (const [name, opts, fold] of cases) {
    test(`${name}: same log-probs, gradients and generation as float32 on the heap`, { skip }, async () => {
      const dir = tempDir('nativew');
      await writeTinyModel(dir, opts);
      const heap = await outcome(dir, false, fold);
      const nat = await outcome(dir, true, fold);
      assert.equal(heap.nativeBytes, 0);
      const bytesPer = opts.dtype === 'BF16' || opts.dtype === 'F16' ? 2 : 4;
      assert.ok(nat.nativeBytes > 0 && nat.nativeBytes * (4 / bytesPer) > heap.heapBytes * 0.9, `native ${nat.nativeBytes} B vs heap ${heap.heapBytes} B`);
      assert.ok(nat.heapBytes < heap.heapBytes * 0.1, `the wasm heap still holds ${nat.heapBytes} B of weights`);
      nat.lp.forEach((v, i) => assert.ok(Math.abs(v - heap.lp[i]) < 1e-5, `log-prob ${i}: ${v} vs ${heap.lp[i]}`));
      nat.grads.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(v - heap.grads[i][j]) < 1e-5 * Math.max(1, Math.abs(v)), `grad ${i}[${j}]: ${v} vs ${heap.grads[i][j]}`)));
      assert.deepEqual(nat.generated, heap.generated);
    });
  }

  test('products with bf16 and f16 weights equal float32 products of the widened values (tiles, gemv, input gradient)', { skip }, () => {
    // 1000 × 5000 spans two widening tiles (2^22 floats each) in both directions; M = 1 takes the matrix-vector path.
    const rows = 1000;
    const cols = 5000;
    const vals = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) * 0.5);
    for (const [dtype, enc] of [['BF16', floatToBf16], ['F16', floatToHalf]] as const) {
      const bits = Uint16Array.from(vals, (v) => enc(v));
      const w = createNativeMatrix(new Uint8Array(bits.buffer), dtype, [rows, cols]);
      const widened = w.toFloat32();
      const W = tf.tensor2d(widened, [rows, cols]);
      for (const M of [1, 7]) {
        const x = tf.randomNormal([M, cols], 0, 1, 'float32', M) as tf.Tensor2D;
        const dy = tf.randomNormal([M, rows], 0, 1, 'float32', M + 10) as tf.Tensor2D;
        const close = (a: tf.Tensor, b: tf.Tensor, what: string) => {
          const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
          assert.ok(d < 1e-3, `${dtype} ${what} M=${M}: ${d}`);
        };
        close(frozenLinear(x, w), tf.matMul(x, W, false, true), 'forward');
        close(frozenInputGrad(dy, w), tf.matMul(dy, W), 'input gradient');
        tf.dispose([x, dy]);
      }
      // Widening is exact: bf16 bits shifted, f16 through the IEEE rules (incl. subnormals).
      for (let i = 0; i < 2000; i += 7) assert.equal(widened[i], dtype === 'BF16' ? new Float32Array(new Uint32Array([bits[i] << 16]).buffer)[0] : halfExact(bits[i]));
      W.dispose();
      w.dispose();
    }
  });

  test('the fused LM head equals a float64 log-softmax pick and its gradient across vocabulary tiles and row blocks', { skip }, () => {
    // H = 64: a widening tile (2^22 floats) holds 65536 vocabulary rows and a block of logits 256 rows, so V = 70000
    // spans two tiles and N = 300 two blocks; targets sit at both tiles' edges. Under the tape the logits are kept natively
    // between the forward pass's two walks; a budget of 100 rows of them makes that three blocks of rows.
    const [V, H, N] = [70000, 64, 300];
    const vals = Float32Array.from({ length: V * H }, (_, i) => Math.sin(i * 0.61) * 0.8);
    const bits = Uint16Array.from(vals, (v) => floatToBf16(v));
    const w = createNativeMatrix(new Uint8Array(bits.buffer), 'BF16', [V, H]);
    const W = w.toFloat32();
    const hv = Float32Array.from({ length: N * H }, (_, i) => Math.cos(i * 0.13) * 2);
    const edges = [0, 65535, 65536, V - 1];
    const tg = Int32Array.from({ length: N }, (_, i) => (i < edges.length ? edges[i] : (i * 7919) % V));
    const dyv = Float32Array.from({ length: N }, (_, i) => 1 + (i % 3));
    // float64 reference: lp = z_t − logsumexp(z), dh = dy · (W[t] − Σ softmax_j W[j]).
    const refLp: number[] = [];
    const refDh = new Float64Array(N * H);
    const z = new Float64Array(V);
    for (let i = 0; i < N; i++) {
      let m = -Infinity;
      for (let j = 0; j < V; j++) {
        let acc = 0;
        for (let k = 0; k < H; k++) acc += hv[i * H + k] * W[j * H + k];
        z[j] = acc;
        if (acc > m) m = acc;
      }
      let s = 0;
      for (let j = 0; j < V; j++) s += Math.exp(z[j] - m);
      const lse = m + Math.log(s);
      refLp.push(z[tg[i]] - lse);
      for (let j = 0; j < V; j++) {
        const c = ((j === tg[i] ? 1 : 0) - Math.exp(z[j] - lse)) * dyv[i];
        if (c !== 0) for (let k = 0; k < H; k++) refDh[i * H + k] += c * W[j * H + k];
      }
    }
    const h = tf.tensor2d(hv, [N, H]);
    const targets = tf.tensor1d(tg, 'int32');
    const dy = tf.tensor1d(dyv);
    const hVar = tf.variable(h, true, 'fusedHeadH');
    const blas = loadNativeBlas().blas!;
    blas.headKeepFloats(100 * V);
    let trainLp: Float32Array;
    let dh: Float32Array;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const lpTrain = frozenTargetLogprobs(hVar, targets, w);
        trainLp = tf.keep(tf.clone(lpTrain)).dataSync() as Float32Array;
        return tf.sum(tf.mul(lpTrain, dy)) as tf.Scalar;
      }, [hVar]);
      dh = grads.fusedHeadH.dataSync() as Float32Array;
      tf.dispose([value, grads]);
    } finally {
      blas.headKeepFloats(0);
    }
    const lp = tf.tidy(() => frozenTargetLogprobs(h, targets, w)).dataSync();
    for (const [name, got] of [['scoring', lp], ['training', trainLp!]] as const) {
      got.forEach((v, i) => assert.ok(Math.abs(v - refLp[i]) < 2e-5 * Math.max(1, Math.abs(refLp[i])), `${name} lp ${i}: ${v} vs ${refLp[i]}`));
    }
    dh!.forEach((v, i) => assert.ok(Math.abs(v - refDh[i]) < 1e-4, `dh ${i}: ${v} vs ${refDh[i]}`));
    tf.dispose([h, hVar, targets, dy]);
    w.dispose();
  });
});

function halfExact(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  return e === 0 ? s * f * 2 ** -24 : s * (1 + f / 1024) * 2 ** (e - 15);
}
