// npm run bench -- scale: the engine at the sizes users bring. Writes random-weight folders with the real configs
// (test/fixtures/scaleModels.ts; no downloads), then per shape, each side in its own process: one SFT step
// (forward, backward w.r.t. LoRA r8 on q/v, Adam) — tok/s, tokens per CPU-second (the machine may be shared),
// peak RSS beside the memory pre-flight's estimate — and PyTorch CPU on the same shape and step when a Python
// with torch is found (CLINICAL_FT_PYTHON, else python3). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for
// both sides (users' machines do not set them). Env: BENCH_SHAPES (comma list), BENCH_STEPS (default 2),
// BENCH_SCALE_DIR (folder cache, default $TMPDIR/cft-scale), BENCH_PYTORCH=0 (engine only), BENCH_CASE=shape:batch:seq. Targets are printed, never asserted.
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeAcceleration } from '../../src/trainer/backend';
import { loadModel } from '../../src/trainer/engine';
import { SCALE_SHAPES, writeScaleModel } from '../fixtures/scaleModels';

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
  m.model.lora.attach({ r: 8, alpha: 16, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 1);
  const vars = m.model.lora.trainableVariables();
  const opt = tf.train.adam(1e-4);
  const ids = tf.tensor2d(Array.from({ length: c.batch }, (_, b) => Array.from({ length: c.seq }, (_, t) => 3 + ((b * 131 + t * 17) % 256))), undefined, 'int32');
  const step = () => opt.minimize(() => tf.neg(tf.mean(m.model.tokenLogprobs(ids, undefined, { training: true }))) as tf.Scalar, false, vars);
  step();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  for (let i = 0; i < STEPS; i++) step();
  const seconds = (Date.now() - t0) / 1000 / STEPS;
  const cpu = process.cpuUsage(cpu0);
  const tokens = c.batch * c.seq;
  console.log(
    JSON.stringify({
      side: 'engine',
      acceleration: describeAcceleration().split(' (replaced')[0],
      stepSeconds: seconds,
      tokensPerSecond: tokens / seconds,
      tokensPerCpuSecond: (tokens * STEPS) / ((cpu.user + cpu.system) / 1e6),
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      estimatedPeakMB: (m.memoryEstimate?.processBytes ?? 0) / 2 ** 20,
      gradientCheckpointing: m.memoryEstimate?.request.gradientCheckpointing === true,
    }),
  );
}

function python(): string | undefined {
  if (process.env.BENCH_PYTORCH === '0') return undefined;
  for (const p of [process.env.CLINICAL_FT_PYTHON, 'python3', '/usr/bin/python3'].filter((x): x is string => !!x)) {
    if (cp.spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return p;
  }
  return undefined;
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
  console.log(`scale: ${threads} cores, load average ${os.loadavg()[0].toFixed(1)}, PyTorch: ${py ?? 'not found (set CLINICAL_FT_PYTHON)'}; OPENBLAS_CORETYPE/L2_SIZE unset`);
  // BENCH_CASE=shape:batch:seq measures one shape at another size (e.g. a quick look at a large model).
  const custom = process.env.BENCH_CASE?.split(':');
  const cases = custom ? [{ shape: custom[0], batch: Number(custom[1]), seq: Number(custom[2]), target: '(custom size)' }] : CASES.filter((x) => !wanted || wanted.includes(x.shape));
  for (const c of cases) {
    writeScaleModel(ROOT, c.shape);
    const e = cp.spawnSync(process.execPath, ['--expose-gc', __filename, '--engine', JSON.stringify(c)], { encoding: 'utf8', env: cleanEnv() });
    const engine = lastJson(e.stdout);
    if (!engine) console.log(`${c.shape}: engine failed (exit ${e.status}): ${(e.stderr || e.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    let torch: Record<string, unknown> | undefined;
    if (py) {
      const t = cp.spawnSync(py, [path.join(process.env.CLINICAL_FT_ROOT ?? process.cwd(), 'test', 'bench', 'torchStep.py'), JSON.stringify(SCALE_SHAPES[c.shape]), String(c.batch), String(c.seq), String(STEPS), String(threads)], { encoding: 'utf8', env: cleanEnv() });
      torch = lastJson(t.stdout);
      if (!torch) console.log(`${c.shape}: PyTorch failed (exit ${t.status}): ${t.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    }
    const n = (x: unknown, d = 0) => (typeof x === 'number' ? x.toFixed(d) : '—');
    const ratio = engine && torch ? (engine.tokensPerSecond as number) / (torch.tokensPerSecond as number) : undefined;
    console.log(
      `${c.shape} b${c.batch}×${c.seq}: engine ${n(engine?.tokensPerSecond, 1)} tok/s (${n(engine?.tokensPerCpuSecond, 1)} per CPU-s), peak RSS ${n(engine?.peakRssMB)} MB, estimate ${n(engine?.estimatedPeakMB)} MB` +
        ` (${engine ? (((engine.estimatedPeakMB as number) / (engine.peakRssMB as number) - 1) * 100).toFixed(0) : '—'}%) | PyTorch ${n(torch?.tokensPerSecond, 1)} tok/s (${n(torch?.tokensPerCpuSecond, 1)} per CPU-s), peak RSS ${n(torch?.peakRssMB)} MB` +
        ` | ratio ${ratio === undefined ? '—' : `${ratio.toFixed(2)}×`} | target: ${c.target}`,
    );
    if (engine) console.log(`  engine: ${String(engine.acceleration)}${engine.gradientCheckpointing ? '; gradient checkpointing (chosen by the memory pre-flight)' : ''}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
