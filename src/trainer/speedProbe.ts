import * as tf from '@tensorflow/tfjs';
import type { ResolvedBackend } from '../core/runConfig';
import type { SpeedProbe } from '../core/protocol/environment';
import { installWasmKernels } from './kernels';

/** Long enough to average out a scheduler hiccup, short enough that Show environment answers at once. */
const BUDGET_MS = 400;

/**
 * Measures float32 matmul throughput on the backend training would use, with the kernels training would use
 * (the native OpenBLAS ones on wasm). Matmuls dominate a training step, so this ranks machines the way
 * tokens/s does without training anything.
 */
export async function measureSpeed(backend: ResolvedBackend): Promise<SpeedProbe> {
  const tfName = backend === 'tensorflow-gpu' ? 'tensorflow' : backend;
  if (!(await tf.setBackend(tfName))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  if (backend === 'wasm') installWasmKernels();
  // Pure JavaScript takes seconds for 512³: a smaller product still ranks it (as slow).
  const size = backend === 'cpu' ? 128 : 512;
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  try {
    const once = () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    };
    once(); // warm-up: kernel compilation, buffer allocation
    let repeats = 0;
    const start = performance.now();
    do {
      once();
      repeats++;
    } while (performance.now() - start < BUDGET_MS);
    const seconds = (performance.now() - start) / 1000;
    return { backend, size, repeats, seconds, gflops: (2 * size ** 3 * repeats) / seconds / 1e9 };
  } finally {
    a.dispose();
    b.dispose();
  }
}
