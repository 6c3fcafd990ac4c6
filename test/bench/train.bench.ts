// DPO vs SFT peak memory through the real training path (runTraining, engine, run folder): the same
// model, data size and batch; each method in its own process so peak RSS is its own. Prints numbers.
// Shape: Llama-style, byte tokenizer (vocab 259), hidden 256, 4 layers, 4 heads (2 kv), MLP 688,
// ~128-token sequences, batch 8, LoRA r=8 on q/v. Env: BENCH_BACKEND (default wasm), BENCH_STEPS (default 3).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import { initBackend } from '../../src/trainer/backend';
import { RunConfig } from '../../src/core/runConfig';
import { runTraining } from '../../src/trainer/train/runTraining';
import { loadEngineModel } from '../../src/trainer/train/engineLoader';
import { readMetrics } from '../../src/core/node/runFolderReader';
import { writeTinyModel } from '../fixtures/tinyModel';

const STEPS = Number(process.env.BENCH_STEPS ?? 3);
const BACKEND = (process.env.BENCH_BACKEND ?? 'wasm') as 'wasm' | 'cpu' | 'auto';

async function measure(method: 'sft' | 'dpo', dir: string): Promise<void> {
  const backend = await initBackend(BACKEND);
  const data = path.join(dir, `${method}.jsonl`);
  const note = (i: number) => `Patient ${i} presents with chest pain radiating to the left arm, diaphoresis and nausea. `;
  const rows = Array.from({ length: 32 }, (_, i) =>
    method === 'sft' ? { prompt: note(i), completion: ' Admit to cardiology for workup.' } : { prompt: note(i), chosen: ' Admit to cardiology for workup.', rejected: ' Discharge home with follow up.' },
  );
  fs.writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const out = path.join(dir, `run-${method}`);
  const t0 = Date.now();
  const r = await runTraining({
    config: RunConfig.parse({ method, model: path.join(dir, 'model'), data, steps: STEPS, batchSize: 8, maxLength: 160, backend: BACKEND }),
    outDir: out,
    resume: false,
    backend,
    loadModel: loadEngineModel,
    shouldStop: () => false,
  });
  if (r.status !== 'completed') throw new Error(`${method}: ${r.error}`);
  const recs = readMetrics(out).records.filter((x) => typeof x.loss === 'number');
  const tps = recs.slice(1).map((x) => x.tokens_per_second as number);
  process.stdout.write(
    `${JSON.stringify({ method, backend, steps: STEPS, seconds: (Date.now() - t0) / 1000, tokensPerSecond: tps.length ? tps.reduce((a, b) => a + b, 0) / tps.length : null, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

async function main(): Promise<void> {
  const [mode, method, dir] = process.argv.slice(2);
  if (mode === '--measure') return measure(method as 'sft' | 'dpo', dir);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-bench-train-'));
  await writeTinyModel(path.join(tmp, 'model'), { hidden: 256, layers: 4, heads: 4, kvHeads: 2, intermediate: 688, seed: 1 });
  const results: Record<string, { peakRssMB: number; tokensPerSecond: number | null }> = {};
  for (const method of ['sft', 'dpo'] as const) {
    const r = cp.spawnSync(process.execPath, [__filename, '--measure', method, tmp], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${method} bench failed: ${r.stderr}`);
    const line = r.stdout.trim().split('\n').pop() ?? '{}';
    results[method] = JSON.parse(line);
    console.log(line);
  }
  const ratio = results.dpo.peakRssMB / results.sft.peakRssMB;
  console.log(`train: DPO peak RSS ${results.dpo.peakRssMB.toFixed(0)} MB vs SFT ${results.sft.peakRssMB.toFixed(0)} MB = ${ratio.toFixed(2)}× (target ≤ 1.3×)`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
