// Kernel re-registration for the wasm backend: faster BatchMatMul (native OpenBLAS or rerouted XNNPACK) and,
// with the native addon, Exp. Gradients are unchanged: they call the same ops, which dispatch here.
import * as tf from '@tensorflow/tfjs';
import { replaceKernel, type KernelFunc } from './wasmInternals';
import { loadNativeBlas } from './nativeBlas';
import { nativeBatchMatMul, reroutedBatchMatMul } from './batchMatMul';
import { nativeExp } from './elementwise';

export interface KernelReport {
  matmul: 'native-openblas' | 'wasm-rerouted' | 'stock';
  native: string;
  replaced: string[];
}

let installed: KernelReport | undefined;
const stock = new Map<string, KernelFunc | undefined>();

/** Idempotent; CLINICAL_FT_KERNELS=stock keeps tfjs' own kernels (for comparisons). */
export function installWasmKernels(): KernelReport {
  if (installed) return installed;
  const native = loadNativeBlas();
  if (process.env.CLINICAL_FT_KERNELS === 'stock') return (installed = { matmul: 'stock', native: native.reason, replaced: [] });
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc as unknown as KernelFunc | undefined;
  const stockTranspose = tf.getKernel('Transpose', 'wasm')?.kernelFunc as unknown as KernelFunc | undefined;
  if (!stockMatMul || !stockTranspose) return (installed = { matmul: 'stock', native: native.reason, replaced: [] });
  const replaced: string[] = [];
  const swap = (name: string, fn: KernelFunc) => {
    stock.set(name, replaceKernel(tf, name, fn));
    replaced.push(name);
  };
  if (native.blas) {
    native.blas.setThreads(Number(process.env.CLINICAL_FT_BLAS_THREADS ?? 1));
    swap('BatchMatMul', nativeBatchMatMul(native.blas));
    swap('Exp', nativeExp(native.blas));
  } else {
    swap('BatchMatMul', reroutedBatchMatMul(stockMatMul, stockTranspose));
  }
  return (installed = { matmul: native.blas ? 'native-openblas' : 'wasm-rerouted', native: native.reason, replaced });
}

/** Puts tfjs' own kernels back (tests compare against them). */
export function restoreStockKernels(): void {
  for (const [name, fn] of stock) {
    if (!fn) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
  }
  stock.clear();
  installed = undefined;
}

export function kernelReport(): KernelReport | undefined {
  return installed;
}
