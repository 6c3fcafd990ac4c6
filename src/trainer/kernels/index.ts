// Kernel re-registration for the wasm backend: faster BatchMatMul (native OpenBLAS or rerouted XNNPACK), a
// zero-copy Identity and, with the native addon, Exp plus fused kernels (see fusedOps.ts). Gradients are
// unchanged: they call the same ops, which dispatch here.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { replaceKernel, type KernelFunc } from './wasmInternals';
import { loadNativeBlas } from './nativeBlas';
import { nativeBatchMatMul, reroutedBatchMatMul } from './batchMatMul';
import { nativeExp, sharedIdentity } from './elementwise';
import { registerFusedKernels, unregisterFusedKernels } from './fusedKernels';
import { registerFrozenKernels, unregisterFrozenKernels } from './frozenWeights';

export interface KernelReport {
  matmul: 'native-openblas' | 'wasm-rerouted' | 'stock';
  native: string;
  replaced: string[];
  /** OpenBLAS threads (native matmul); 1 where no native BLAS runs. */
  blasThreads: number;
}

export type KernelMode = 'auto' | 'wasm-only' | 'stock';

let installed: KernelReport | undefined;
let installedMode: KernelMode | undefined;
const stock = new Map<string, KernelFunc | undefined>();

/**
 * Idempotent per mode. 'auto': native addon kernels when it loads, else the rerouted pure-wasm matmul;
 * 'wasm-only' ignores the addon; 'stock' keeps tfjs' kernels. CLINICAL_FT_KERNELS overrides 'auto'.
 */
export function installWasmKernels(mode: KernelMode = 'auto'): KernelReport {
  const env = process.env.CLINICAL_FT_KERNELS;
  const wanted: KernelMode = mode === 'auto' && (env === 'stock' || env === 'wasm-only') ? env : mode;
  if (installed && installedMode === wanted) return installed;
  if (installed) restoreStockKernels();
  installedMode = wanted;
  const native: ReturnType<typeof loadNativeBlas> = wanted === 'auto' ? loadNativeBlas() : { reason: `not used (kernel mode ${wanted})` };
  const blasThreads = native.blas ? defaultBlasThreads() : 1;
  if (wanted === 'stock') return (installed = { matmul: 'stock', native: native.reason, replaced: [], blasThreads: 1 });
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc as unknown as KernelFunc | undefined;
  const stockTranspose = tf.getKernel('Transpose', 'wasm')?.kernelFunc as unknown as KernelFunc | undefined;
  const stockIdentity = tf.getKernel('Identity', 'wasm')?.kernelFunc as unknown as KernelFunc | undefined;
  if (!stockMatMul || !stockTranspose || !stockIdentity) return (installed = { matmul: 'stock', native: native.reason, replaced: [], blasThreads: 1 });
  const replaced: string[] = [];
  const swap = (name: string, fn: KernelFunc) => {
    stock.set(name, replaceKernel(tf, name, fn));
    replaced.push(name);
  };
  swap('Identity', sharedIdentity(stockIdentity));
  if (native.blas) {
    native.blas.setThreads(blasThreads);
    swap('BatchMatMul', nativeBatchMatMul(native.blas));
    swap('Exp', nativeExp(native.blas));
    replaced.push(...registerFusedKernels(native.blas), ...registerFrozenKernels(native.blas));
  } else {
    swap('BatchMatMul', reroutedBatchMatMul(stockMatMul, stockTranspose));
  }
  return (installed = { matmul: native.blas ? 'native-openblas' : 'wasm-rerouted', native: native.reason, replaced, blasThreads });
}

/** Every core the machine offers (CLINICAL_FT_BLAS_THREADS overrides): matmuls dominate large-model steps. */
export function defaultBlasThreads(): number {
  const env = Number(process.env.CLINICAL_FT_BLAS_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/** Puts tfjs' own kernels back (tests compare against them). */
export function restoreStockKernels(): void {
  for (const [name, fn] of stock) {
    tf.unregisterKernel(name, 'wasm');
    if (fn) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
  }
  stock.clear();
  unregisterFusedKernels();
  unregisterFrozenKernels();
  installed = undefined;
  installedMode = undefined;
}

export function kernelReport(): KernelReport | undefined {
  return installed;
}
