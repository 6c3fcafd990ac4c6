// npm run bench -- scale: the engine at the sizes users bring. Writes random-weight folders with the real configs
// (test/fixtures/scaleModels.ts; no downloads), then per shape, each side in its own process: one SFT step
// (forward, backward w.r.t. LoRA r8 on q/v, AdamW on the LoRA parameters) — tok/s, tokens per CPU-second (the
// machine may be shared), peak RSS beside the memory pre-flight's estimate (±25% is the target) — and PyTorch CPU on
// the same shape and step (test/bench/torchStep.py) with the pinned Python stack (CLINICAL_FT_PYTHON, else the venv
// scripts/python-env.sh makes; never a system torch: Debian's 1.13 is not what users run). Both sides use threads =
// cores; OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for both (users' machines do not set them). PyTorch runs
// under both OpenMP wait policies and the faster one is compared (BENCH_TORCH_OMP=default to run one). Env: BENCH_SHAPES (comma list), BENCH_STEPS (default 2),
// BENCH_SCALE_DIR (folder cache, default $TMPDIR/cft-scale), BENCH_PYTORCH=0 (engine only), BENCH_CASE=shape:batch:seq, BENCH_PROFILE=1 (where the
// engine step spends its time, by kernel), BENCH_CHECKPOINT_LAYERS=n (override the pre-flight's choice: how far the wasm
// heap really goes). Targets are printed, never asserted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeAcceleration } from '../../src/trainer/backend';
import { loadModel } from '../../src/trainer/engine';
import { AdamW } from '../../src/trainer/train/optimizer';
import { SCALE_SHAPES, parameterCount, writeScaleModel } from '../fixtures/scaleModels';
import { HEAP_HEADROOM } from '../../src/core/memory/memoryEstimate';

interface Case {
  shape: string;
  batch: number;
  seq: number;
  target: string;
}

const CASES: Case[] = [
  { shape: 'bench', batch: 8, seq: 128, target: '≥ 1.0× PyTorch tok/s' },
  { shape: 'SmolLM2-135M', batch: 4, seq: 256, target: 'no abort at batch 4 (was Aborted())' },
  { shape: 'Qwen2.5-0.5B', batch: 4, seq: 256, target: '≥ 1.0× PyTorch tok/s at ≤ PyTorch peak RSS' },
  { shape: 'Llama-3.2-1B', batch: 4, seq: 512, target: 'trains within 8 GB peak RSS' },
  { shape: 'Llama-3.2-3B', batch: 1, seq: 512, target: 'trains within 12 GB peak RSS' },
];
const STEPS = Number(process.env.BENCH_STEPS ?? 2);
const ROOT = process.env.BENCH_SCALE_DIR ?? path.join(os.tmpdir(), 'cft-scale');

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

async function measureEngine(c: Case): Promise<void> {
  await initBackend('wasm');
  const dir = path.join(ROOT, c.shape);
  const m = await loadModel(dir, { memory: { task: 'sft', batchSize: c.batch, maxLength: c.seq, loraR: 8, loraTargets: ['q_proj', 'v_proj'] } });
  const forced = process.env.BENCH_CHECKPOINT_LAYERS;
  if (forced !== undefined) m.model.setGradientCheckpointing(Number(forced) > 0, Number(forced));
  m.model.lora.attach({ r: 8, alpha: 16, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 1);
  const vars = m.model.lora.trainableVariables();
  const opt = new AdamW(vars, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
  const ids = tf.tensor2d(Array.from({ length: c.batch }, (_, b) => Array.from({ length: c.seq }, (_, t) => 3 + ((b * 131 + t * 17) % 256))), undefined, 'int32');
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(m.model.tokenLogprobs(ids, undefined, { training: true }))) as tf.Scalar, vars);
    opt.apply(vars.map((v) => grads[v.name]), 1e-4);
    value.dispose();
    tf.dispose(grads);
  };
  step();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  for (let i = 0; i < STEPS; i++) step();
  const seconds = (Date.now() - t0) / 1000 / STEPS;
  const cpu = process.cpuUsage(cpu0);
  const tokens = c.batch * c.seq;
  if (process.env.BENCH_PROFILE) await profileStep(step);
  console.log(
    JSON.stringify({
      side: 'engine',
      acceleration: describeAcceleration().split(' (replaced')[0],
      stepSeconds: seconds,
      tokensPerSecond: tokens / seconds,
      tokensPerCpuSecond: (tokens * STEPS) / ((cpu.user + cpu.system) / 1e6),
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      estimatedPeakMB: (m.memoryEstimate?.processBytes ?? 0) / 2 ** 20,
      // The wasm memory only grows: its size now is the heap's peak, fragmentation included.
      heapMB: wasmHeapBytes() / 2 ** 20,
      estimatedHeapMB: (m.memoryEstimate?.heapBytes ?? 0) / 2 ** 20,
      gradientCheckpointing: forced !== undefined ? Number(forced) > 0 : m.memoryEstimate?.request.gradientCheckpointing === true,
      checkpointedLayers: forced !== undefined ? Number(forced) : (m.memoryEstimate?.request.checkpointedLayers ?? m.config.numLayers),
      layers: m.config.numLayers,
    }),
  );
}

function wasmHeapBytes(): number {
  const b = tf.backend() as unknown as { wasm?: { HEAPF32?: Float32Array } };
  return b.wasm?.HEAPF32?.buffer.byteLength ?? 0;
}

/** BENCH_PROFILE=1: where one step's time goes, by tfjs kernel (native kernels included), and what runs outside them. */
async function profileStep(step: () => void): Promise<void> {
  const t0 = Date.now();
  const prof = await tf.profile(step);
  const wall = Date.now() - t0;
  const byKernel = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs as number;
    e.n++;
    byKernel.set(k.name, e);
  }
  const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
  console.error(`profile of one step: ${wall} ms wall, ${total.toFixed(0)} ms in kernels`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) {
    console.error(`  ${name.padEnd(28)} ${e.ms.toFixed(0).padStart(7)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${String(e.n).padStart(5)} calls`);
  }
}

/** The pinned stack's Python and its torch version. */
function python(): { path: string; torch: string } | undefined {
  if (process.env.BENCH_PYTORCH === '0') return undefined;
  const venv = path.join(process.env.CLINICAL_FT_PY_CACHE ?? path.join(os.homedir(), '.cache', 'clinical-ft-py'), 'venv', 'bin', 'python');
  for (const p of [process.env.CLINICAL_FT_PYTHON, venv].filter((x): x is string => !!x)) {
    const r = cp.spawnSync(p, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { path: p, torch: r.stdout.trim() };
  }
  return undefined;
}

/** MemAvailable (page cache counts as free), the limit for PyTorch's float32 copy of a model. */
function availableBytes(): number {
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: the free memory below
  }
  return os.freemem();
}

function lastJson(out: string): Record<string, unknown> | undefined {
  const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--engine') return measureEngine(JSON.parse(process.argv[3]) as Case);
  const wanted = process.env.BENCH_SHAPES?.split(',').map((s) => s.trim());
  const py = python();
  const threads = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  console.log(
    `scale: ${threads} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, PyTorch: ${py ? `torch ${py.torch} (${py.path})` : 'not found (export CLINICAL_FT_PYTHON="$(bash scripts/python-env.sh)")'}; threads = ${threads} on both sides; OPENBLAS_CORETYPE/L2_SIZE unset`,
  );
  // BENCH_CASE=shape:batch:seq measures one shape at another size (e.g. a quick look at a large model).
  const custom = process.env.BENCH_CASE?.split(':');
  const cases = custom ? [{ shape: custom[0], batch: Number(custom[1]), seq: Number(custom[2]), target: '(custom size)' }] : CASES.filter((x) => !wanted || wanted.includes(x.shape));
  for (const c of cases) {
    writeScaleModel(ROOT, c.shape);
    const e = cp.spawnSync(process.execPath, ['--expose-gc', __filename, '--engine', JSON.stringify(c)], { encoding: 'utf8', env: cleanEnv() });
    const engine = lastJson(e.stdout);
    if (process.env.BENCH_PROFILE) process.stderr.write(e.stderr);
    if (!engine) console.log(`${c.shape}: engine failed (exit ${e.status}): ${(e.stderr || e.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    let torch: Record<string, unknown> | undefined;
    // PyTorch holds the frozen weights in float32 (as from_pretrained does by default): skip it where that cannot fit.
    const torchWeights = parameterCount(SCALE_SHAPES[c.shape]) * 4;
    if (py && torchWeights * 1.3 > availableBytes()) {
      console.log(`${c.shape}: PyTorch skipped: its float32 weights (${(torchWeights / 2 ** 30).toFixed(1)} GB) do not fit the ${(availableBytes() / 2 ** 30).toFixed(1)} GB available`);
    } else if (py) {
      // OpenMP threads spin while they wait: on a loaded (shared) machine that starves the other thread, so PyTorch
      // runs with its default wait policy and with OMP_WAIT_POLICY=PASSIVE, and the faster run is the baseline.
      for (const policy of (process.env.BENCH_TORCH_OMP ?? 'default,PASSIVE').split(',')) {
        const env = cleanEnv();
        if (policy !== 'default') env.OMP_WAIT_POLICY = policy;
        const t = cp.spawnSync(py.path, [path.join(process.env.CLINICAL_FT_ROOT ?? process.cwd(), 'test', 'bench', 'torchStep.py'), JSON.stringify(SCALE_SHAPES[c.shape]), String(c.batch), String(c.seq), String(STEPS), String(threads)], { encoding: 'utf8', env });
        const run = lastJson(t.stdout);
        if (!run) console.log(`${c.shape}: PyTorch (OMP_WAIT_POLICY ${policy}) failed (exit ${t.status}): ${t.stderr.trim().split('\n').slice(-2).join(' | ')}`);
        else console.log(`  PyTorch, OMP_WAIT_POLICY ${policy}: ${(run.tokensPerSecond as number).toFixed(1)} tok/s, ${(run.tokensPerCpuSecond as number).toFixed(1)} per CPU-s, peak RSS ${(run.peakRssMB as number).toFixed(0)} MB`);
        if (run && (!torch || (run.tokensPerSecond as number) > (torch.tokensPerSecond as number))) torch = { ...run, policy };
      }
    }
    const n = (x: unknown, d = 0) => (typeof x === 'number' ? x.toFixed(d) : '—');
    const ratio = engine && torch ? (engine.tokensPerSecond as number) / (torch.tokensPerSecond as number) : undefined;
    console.log(
      `${c.shape} b${c.batch}×${c.seq}: engine ${n(engine?.tokensPerSecond, 1)} tok/s (${n(engine?.tokensPerCpuSecond, 1)} per CPU-s), peak RSS ${n(engine?.peakRssMB)} MB, estimate ${n(engine?.estimatedPeakMB)} MB` +
        ` (${engine ? (((engine.estimatedPeakMB as number) / (engine.peakRssMB as number) - 1) * 100).toFixed(0) : '—'}%) | PyTorch (best) ${n(torch?.tokensPerSecond, 1)} tok/s (${n(torch?.tokensPerCpuSecond, 1)} per CPU-s), peak RSS ${n(torch?.peakRssMB)} MB` +
        ` | ratio ${ratio === undefined ? '—' : `${ratio.toFixed(2)}×`} | target: ${c.target}`,
    );
    if (engine) {
      const off = (engine.estimatedPeakMB as number) / (engine.peakRssMB as number) - 1;
      console.log(`  estimate vs measured peak: ${(off * 100).toFixed(0)}% (${Math.abs(off) <= 0.25 ? 'within' : 'OUTSIDE'} ±25%); wasm heap ${n(engine.heapMB)} MB, estimated ${n(engine.estimatedHeapMB)} MB${heapMargin(engine.heapMB, engine.estimatedHeapMB)}`);
    }
    if (engine) console.log(`  engine: ${String(engine.acceleration)}${engine.gradientCheckpointing ? `; gradient checkpointing of ${String(engine.checkpointedLayers)} of ${String(engine.layers)} layers (${process.env.BENCH_CHECKPOINT_LAYERS !== undefined ? 'BENCH_CHECKPOINT_LAYERS' : 'chosen by the memory pre-flight'})` : ''}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

/** How far the heap ran above its estimate, against what the pre-flight's margin (HEAP_HEADROOM) covers. */
function heapMargin(measured: unknown, estimated: unknown): string {
  if (typeof measured !== 'number' || typeof estimated !== 'number' || !measured || !estimated) return '';
  const over = measured / estimated - 1;
  const covered = 1 / HEAP_HEADROOM - 1;
  return ` (${over >= 0 ? '+' : ''}${(over * 100).toFixed(0)}%; the pre-flight's margin covers +${(covered * 100).toFixed(0)}%${over > covered ? ' — NOT COVERED: raise HEAP_HEADROOM\'s margin' : ''})`;
}
