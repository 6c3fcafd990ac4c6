// Qwen3 and Gemma 3 beyond scoring: KV-cache generation across a sliding window, LoRA gradients (fused wasm
// kernels versus composite cpu ops, and finite differences), and an SFT run that learns.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { generate, loadModel, type LoadedModel } from '../../../src/trainer/engine';
import { writeTinyModel, type TinyModelOptions } from '../../fixtures/tinyModel';
import { RunConfig } from '../../../src/core/runConfig';
import { runTraining } from '../../../src/trainer/train/runTraining';
import { loadEngineModel } from '../../../src/trainer/train/engineLoader';
import { readMetrics } from '../../../src/core/node/runFolderReader';
import { BACKENDS, tempDir } from './helpers';

const FAMILIES: [string, TinyModelOptions][] = [
  ['qwen3', { arch: 'qwen3', heads: 4, kvHeads: 2, headDim: 12, layers: 2, slidingWindow: 5, layerTypes: ['sliding_attention', 'full_attention'], seed: 51 }],
  ['gemma3', { arch: 'gemma3', hidden: 48, heads: 4, kvHeads: 2, headDim: 16, layers: 3, slidingWindowPattern: 2, slidingWindow: 6, queryPreAttnScalar: 24, seed: 52 }],
];

function greedyNoCache(m: LoadedModel, prompt: number[], n: number): number[] {
  const ids = [...prompt];
  for (let i = 0; i < n; i++) {
    const next = tf.tidy(() => tf.argMax(tf.squeeze(tf.slice(m.model.logits(tf.tensor2d([ids], undefined, 'int32')), [0, ids.length - 1, 0], [1, 1, -1]))).dataSync()[0]);
    ids.push(next);
  }
  return ids.slice(prompt.length);
}

function sumLogprobs(m: LoadedModel): tf.Scalar {
  const seqs = [m.tokenizer.encode('chest pain, no fever'), m.tokenizer.encode('BP 120/80 ok!')];
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = tf.tensor2d(seqs.map((s) => [...s, ...new Array(T - s.length).fill(m.tokenizer.padId)]), undefined, 'int32');
  const mask = tf.tensor2d(seqs.map((s) => Array.from({ length: T }, (_, t) => (t < s.length ? 1 : 0))), undefined, 'float32');
  return tf.sum(m.model.tokenLogprobs(ids, mask));
}

/** LoRA on every module with a non-zero B, so every A and B has a gradient. */
async function withAdapter(dir: string): Promise<LoadedModel> {
  const m = await loadModel(dir);
  m.model.lora.attach({ r: 2, alpha: 4, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], useRslora: false }, 9);
  const state = m.model.lora.getState();
  for (const [k, v] of state) if (k.includes('lora_B')) state.set(k, v.map((_, i) => Math.sin(i + k.length) * 0.1));
  m.model.lora.setState(state);
  return m;
}

/** Gradients in the adapter's stable variable order (names get a #2 suffix when two models coexist). */
function loraGrads(m: LoadedModel): Float32Array[] {
  const vars = m.model.lora.trainableVariables();
  const { value, grads } = tf.variableGrads(() => sumLogprobs(m), vars);
  value.dispose();
  return vars.map((v) => grads[v.name].dataSync() as Float32Array);
}

for (const [family, opts] of FAMILIES) {
  describe(`${family}: generate and train`, () => {
    for (const backend of BACKENDS) {
      test(`greedy generation with the KV cache equals recomputing, past the sliding window (${backend})`, async () => {
        await initBackend(backend);
        const dir = tempDir(`${family}-gen`);
        await writeTinyModel(dir, opts);
        const m = await loadModel(dir);
        try {
          const prompt = m.tokenizer.encode('Plan:');
          const r = await generate(m, prompt, { maxNewTokens: 10, temperature: 0, topP: 1, seed: 0, stopIds: [] });
          assert.equal(r.ids.length, 10);
          assert.deepEqual(r.ids, greedyNoCache(m, prompt, 10));
        } finally {
          m.model.dispose();
        }
      });
    }

    test('LoRA gradients: fused wasm kernels equal composite cpu ops, and finite differences', async () => {
      const dir = tempDir(`${family}-grad`);
      await writeTinyModel(dir, opts);
      await initBackend('cpu');
      const cpu = await withAdapter(dir);
      const want = loraGrads(cpu);
      await initBackend('wasm');
      const wasm = await withAdapter(dir);
      try {
        const got = loraGrads(wasm);
        assert.equal(got.length, want.length);
        const names = wasm.model.lora.trainableVariables().map((x) => x.name);
        for (const [i, g] of got.entries()) {
          const w = want[i];
          const k = names[i];
          assert.ok(g.some((x) => x !== 0), `zero gradient for ${k}`);
          const scale = Math.max(...w.map(Math.abs));
          const d = Math.max(...g.map((x, i) => Math.abs(x - w[i])));
          assert.ok(d < 1e-3 * Math.max(1, scale), `${k}: wasm vs cpu gradient differ by ${d} (max |g| ${scale})`);
        }
        // Finite differences on one element of the first layer's k_proj A (on the path through the q/k norm).
        const vi = names.findIndex((n) => n.includes('layers.0.self_attn.k_proj.lora_A'));
        const v = wasm.model.lora.trainableVariables()[vi];
        const g = got[vi][3];
        const orig = v.dataSync().slice();
        const at = (delta: number): number => {
          const x = orig.slice();
          x[3] += delta;
          v.assign(tf.tensor(x, v.shape));
          return tf.tidy(() => sumLogprobs(wasm).dataSync()[0]);
        };
        const eps = 1e-2;
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        assert.ok(Math.abs(fd - g) < 2e-2 * Math.max(1, Math.abs(g)), `analytic ${g} vs numeric ${fd}`);
      } finally {
        cpu.model.dispose();
        wasm.model.dispose();
      }
    });

    test('SFT with LoRA learns: loss falls by more than half on a small set', async () => {
      const backend = await initBackend('wasm');
      const tmp = tempDir(`${family}-sft`);
      const model = path.join(tmp, 'model');
      await writeTinyModel(model, opts);
      const data = path.join(tmp, 'train.jsonl');
      const rows = Array.from({ length: 8 }, (_, i) => ({ prompt: `Case ${i % 4}:`, completion: i % 2 ? ' admit' : ' home' }));
      fs.writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const out = path.join(tmp, 'run');
      const r = await runTraining({
        config: RunConfig.parse({ method: 'sft', model, data, steps: 25, batchSize: 8, lr: 1e-2, scheduler: 'constant', maxLength: 32, lora: { r: 8, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] } }),
        outDir: out,
        resume: false,
        backend,
        loadModel: loadEngineModel,
        onEvent: () => {},
        shouldStop: () => false,
      });
      assert.equal(r.status, 'completed', r.error);
      const losses = readMetrics(out).records.filter((x) => typeof x.loss === 'number').map((x) => x.loss as number);
      assert.ok(losses.at(-1)! < 0.5 * losses[0], `loss ${losses[0]} → ${losses.at(-1)}`);
      assert.ok(fs.existsSync(path.join(out, 'adapter', 'adapter_model.safetensors')));
    });
  });
}
