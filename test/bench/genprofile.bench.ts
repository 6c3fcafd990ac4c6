// Where one generated token's time goes (kernel profile of a cached decoding step at the engine bench shape).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/trainer/backend';
import { loadModel } from '../../src/trainer/engine';
import type { KvCache, LlamaModel } from '../../src/trainer/engine/model';
import { writeTinyModel } from '../fixtures/tinyModel';

async function main(): Promise<void> {
  await initBackend('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-genprof-'));
  await writeTinyModel(dir, { vocab: 4096, hidden: 256, layers: 4, heads: 4, kvHeads: 4, intermediate: 688, chatTemplate: false });
  const m = await loadModel(dir);
  const model = m.model as LlamaModel;
  const cache: KvCache = { keys: [], values: [], length: 0 };
  const step = (ids: number[]) => tf.tidy(() => model.project(tf.reshape(tf.slice(model.hidden(tf.tensor2d([ids], [1, ids.length], 'int32'), undefined, false, cache), [0, ids.length - 1, 0], [1, 1, 256]), [1, 256]) as tf.Tensor2D).dataSync());
  step(Array.from({ length: 64 }, (_, i) => 3 + i));
  for (let i = 0; i < 5; i++) step([7]);
  const c0 = process.cpuUsage();
  const n = 30;
  for (let i = 0; i < n; i++) step([7]);
  const c = process.cpuUsage(c0);
  console.log(`decode step: ${((c.user + c.system) / 1000 / n).toFixed(2)} cpu-ms/token`);
  const prof = await tf.profile(() => step([7]));
  const by = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels) {
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs as number;
    e.n++;
    by.set(k.name, e);
  }
  console.log(`${prof.kernels.length} kernels per token`);
  for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`  ${name.padEnd(22)} ${e.ms.toFixed(2).padStart(7)} ms ${String(e.n).padStart(4)}×`);
  const mm = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels.filter((k) => k.name === 'BatchMatMul')) {
    const key = JSON.stringify(k.inputShapes);
    const e = mm.get(key) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs as number;
    e.n++;
    mm.set(key, e);
  }
  for (const [key, e] of [...mm].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${e.ms.toFixed(2).padStart(7)} ms ${String(e.n).padStart(3)}× BatchMatMul ${key}`);
  m.model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
