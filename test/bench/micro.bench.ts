// Micro-benchmarks of single kernels at the engine bench shape (wasm, kernels as installed by initBackend).
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeAcceleration } from '../../src/trainer/backend';

function bench(label: string, f: () => tf.Tensor | tf.Tensor[], reps = 20): void {
  tf.dispose(f());
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const r = f();
    tf.dispose(r);
  }
  const c = process.cpuUsage(c0);
  console.log(`${label.padEnd(50)} ${((c.user + c.system) / 1000 / reps).toFixed(3).padStart(8)} cpu-ms/call`);
}

async function main(): Promise<void> {
  await initBackend('wasm');
  console.log(describeAcceleration());
  const table = tf.randomNormal([4096, 256]);
  const ids = tf.randomUniform([1024], 0, 4096, 'int32');
  bench('gather [4096,256] by 1024 ids', () => tf.gather(table, ids));
  const s = tf.randomNormal([8, 4, 128, 128]);
  const mask = tf.randomNormal([1, 1, 128, 128]);
  bench('add mask [8,4,128,128]+[1,1,128,128]', () => tf.add(s, mask));
  bench('softmax [8,4,128,128]', () => tf.softmax(s));
  const x = tf.randomNormal([8, 128, 4, 64]);
  bench('transpose [8,128,4,64] → [0,2,1,3]', () => tf.transpose(x, [0, 2, 1, 3]));
  const a = tf.randomNormal([1024, 256]);
  const b = tf.randomNormal([1024, 256]);
  bench('add [1024,256]', () => tf.add(a, b));
  bench('mul [1024,256] by scalar', () => tf.mul(a, 0.125));
  const w = tf.randomNormal([688, 256]);
  bench('matmul [1024,256]×[688,256]ᵀ', () => tf.matMul(a, w, false, true));
  const q = tf.randomNormal([8, 4, 128, 64]);
  bench('matmul [8,4,128,64]×[8,4,128,64]ᵀ', () => tf.matMul(q, q, false, true));
  const logits = tf.randomNormal([1016, 4096]);
  bench('exp [1016,4096]', () => tf.exp(logits));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
