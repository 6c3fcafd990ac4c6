// Engine throughput at the shape: Llama-style, vocab 4096, hidden 256, 4 layers, 4 heads (4 kv),
// MLP 688, seq 128, batch 8, LoRA r=8 alpha 16 on q_proj+v_proj, AdamW. Prints tokens/s and peak RSS.
// Env: BENCH_BACKEND=auto|wasm|cpu (default auto), BENCH_STEPS (default 4 measured steps after 1 warm-up),
// BENCH_PROFILE=1 prints the slowest kernels of one SFT step.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeAcceleration } from '../../src/trainer/backend';
import { generate, loadModel, type LoadedModel } from '../../src/trainer/engine';
import { writeTinyModel } from '../fixtures/tinyModel';

const SEQ = 128;
const BATCH = 8;
const STEPS = Number(process.env.BENCH_STEPS ?? 4);

/** AdamW (decoupled weight decay), as torch.optim.AdamW. */
class AdamW {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  constructor(private readonly vars: tf.Variable[], private readonly lr = 1e-4, private readonly wd = 0.01) {
    this.m = vars.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = vars.map((p) => tf.variable(tf.zerosLike(p), false));
  }
  apply(grads: tf.NamedTensorMap): void {
    this.t++;
    const bc1 = 1 - 0.9 ** this.t;
    const bc2 = 1 - 0.999 ** this.t;
    tf.tidy(() =>
      this.vars.forEach((p, i) => {
        const g = grads[p.name];
        const m = tf.add(tf.mul(this.m[i], 0.9), tf.mul(g, 0.1));
        const v = tf.add(tf.mul(this.v[i], 0.999), tf.mul(tf.square(g), 0.001));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const upd = tf.mul(tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), 1e-8)), this.lr);
        p.assign(tf.sub(tf.mul(p, 1 - this.lr * this.wd), upd));
      }),
    );
  }
}

function randomIds(b: number, seed: number): tf.Tensor2D {
  const data = new Int32Array(b * SEQ);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 3 + ((s >>> 8) % 4000);
  }
  return tf.tensor2d(data, [b, SEQ], 'int32');
}

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function time(label: string, tokensPerStep: number, step: () => void): Promise<number> {
  step(); // warm-up (kernel set-up, weight packing)
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const cpuPerStep = (cpu.user + cpu.system) / 1e6 / STEPS;
  const tps = tokensPerStep / (mean / 1000);
  // On a shared machine wall time includes waiting for a core; CPU time per step shows the uncontended cost
  // (it equals wall time when the process has its cores to itself and runs one compute thread).
  console.log(
    `${label.padEnd(48)} ${(mean / 1000).toFixed(3)} s/step ${tps.toFixed(0).padStart(6)} tokens/s | cpu ${cpuPerStep.toFixed(3)} s/step ${(tokensPerStep / cpuPerStep).toFixed(0).padStart(6)} tokens/cpu-s | steps ${times.map((t) => (t / 1000).toFixed(2)).join(' ')}`,
  );
  return tps;
}

async function main(): Promise<void> {
  const backend = await initBackend((process.env.BENCH_BACKEND as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  console.log(`backend ${backend}; ${describeAcceleration()}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-bench-'));
  await writeTinyModel(dir, { vocab: 4096, hidden: 256, layers: 4, heads: 4, kvHeads: 4, intermediate: 688, chatTemplate: false });
  const m: LoadedModel = await loadModel(dir);
  m.model.lora.attach({ r: 8, alpha: 16, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 0);
  const vars = m.model.lora.trainableVariables();
  const opt = new AdamW(vars);
  const ids = randomIds(BATCH, 1);
  const mask = tf.ones([BATCH, SEQ]) as tf.Tensor2D;
  // Loss on every token but the first (as SFT on {"text"} records).
  const lossMask = tf.concat([tf.zeros([BATCH, 1]), tf.ones([BATCH, SEQ - 1])], 1);
  const nTok = BATCH * SEQ;

  if (process.env.BENCH_PROFILE) {
    const sftStep = () => {
      const { value, grads } = tf.variableGrads(() => tf.neg(tf.div(tf.sum(tf.mul(m.model.tokenLogprobs(ids, mask, { training: true }), lossMask)), nTok - BATCH)) as tf.Scalar, vars);
      opt.apply(grads);
      value.dispose();
      tf.dispose(grads);
    };
    sftStep();
    const prof = await tf.profile(sftStep);
    const byKernel = new Map<string, { ms: number; n: number }>();
    for (const k of prof.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs as number;
      e.n++;
      byKernel.set(k.name, e);
    }
    const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
    console.log(`profile of one SFT step: ${total.toFixed(0)} ms in kernels`);
    for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.n).padStart(5)} calls`);
    if (process.env.BENCH_PROFILE === 'shapes') {
      const byShape = new Map<string, { ms: number; n: number }>();
      for (const k of prof.kernels) {
        const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
        const e = byShape.get(key) ?? { ms: 0, n: 0 };
        e.ms += k.kernelTimeMs as number;
        e.n++;
        byShape.set(key, e);
      }
      for (const [key, e] of [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) console.log(`  ${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(4)}×  ${key}`);
    }
  }

  const fwd = await time('forward (tokenLogprobs, no grad)', nTok, () => tf.tidy(() => m.model.tokenLogprobs(ids, mask).dataSync()));
  const sft = await time('SFT step (fwd+bwd+AdamW, LoRA q,v)', nTok, () => {
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.div(tf.sum(tf.mul(m.model.tokenLogprobs(ids, mask, { training: true }), lossMask)), nTok - BATCH)) as tf.Scalar, vars);
    opt.apply(grads);
    value.dataSync();
    value.dispose();
    tf.dispose(grads);
  });

  // DPO: 8 pairs (chosen + rejected = 16 sequences), reference log-probs cached beforehand (adapter off).
  const pairs = tf.concat([randomIds(BATCH, 2), randomIds(BATCH, 3)], 0) as tf.Tensor2D;
  const pairMask = tf.ones([2 * BATCH, SEQ]) as tf.Tensor2D;
  const pairLoss = tf.concat([tf.zeros([2 * BATCH, 1]), tf.ones([2 * BATCH, SEQ - 1])], 1);
  m.model.lora.setEnabled(false);
  const refLogps = tf.tidy(() => tf.sum(tf.mul(m.model.tokenLogprobs(pairs, pairMask), pairLoss), 1));
  m.model.lora.setEnabled(true);
  const beta = 0.1;
  const dpo = await time('DPO step (8 pairs = 16 seqs, cached reference)', 2 * nTok, () => {
    const { value, grads } = tf.variableGrads(() => {
      const logps = tf.sub(tf.sum(tf.mul(m.model.tokenLogprobs(pairs, pairMask, { training: true }), pairLoss), 1), refLogps);
      const [c, r] = tf.split(logps, 2);
      const z = tf.mul(tf.sub(c, r), beta);
      // -log σ(z) = softplus(-z) (tf.logSigmoid's gradient fails inside variableGrads in tfjs 4.22).
      return tf.mean(tf.softplus(tf.neg(z))) as tf.Scalar;
    }, vars);
    opt.apply(grads);
    value.dataSync();
    value.dispose();
    tf.dispose(grads);
  });

  // Generation with the KV cache: greedy, 64 new tokens after a 64-token prompt, batch 1 (adapter on).
  const prompt = Array.from({ length: 64 }, (_, i) => 3 + ((i * 37) % 4000));
  await generate(m, prompt, { maxNewTokens: 4, temperature: 0, topP: 1, seed: 0, stopIds: [] });
  const g0 = performance.now();
  const gen = await generate(m, prompt, { maxNewTokens: 64, temperature: 0, topP: 1, seed: 0, stopIds: [] });
  const genTps = gen.ids.length / ((performance.now() - g0) / 1000);
  console.log(`${'generate (KV cache, greedy, batch 1)'.padEnd(48)} ${genTps.toFixed(0).padStart(6)} tokens/s`);

  const rss = peakRssMB();
  const heap = (tf.backend() as unknown as { wasm?: { HEAPF32: Float32Array } }).wasm?.HEAPF32.byteLength;
  if (heap) console.log(`wasm heap ${(heap / 2 ** 20).toFixed(0)} MB; live tensors ${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MB`);
  console.log('');
  console.log(`forward tokens/s   ${fwd.toFixed(0)}`);
  console.log(`SFT step tokens/s  ${sft.toFixed(0)}   (target ≥ 1550)`);
  console.log(`DPO step tokens/s  ${dpo.toFixed(0)}   (target ≥ 1200)`);
  console.log(`peak RSS           ${rss.toFixed(0)} MB (target ≤ 1536 MB)`);
  console.log(`generate tokens/s  ${genTps.toFixed(0)}`);
  console.log(`load average       ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs (wall-clock figures above include waiting for a core; tokens/cpu-s is the uncontended cost)`);
  m.model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
