// The few internals of tfjs-backend-wasm 4.22 that kernels written outside it need. Kept in one place so
// an upgrade that changes them fails here, loudly, and the stock kernels stay in use.
import type * as tf from '@tensorflow/tfjs';

export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

export interface WasmBackend {
  /** get() of an unknown id asks the engine to move data from another backend (and throws): check has() first. */
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number; shape: number[]; dtype: string } | undefined; has(dataId: object): boolean };
  wasm: { HEAPF32: Float32Array };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}

export function isWasmBackend(b: unknown): b is WasmBackend {
  const w = b as Partial<WasmBackend> | undefined;
  return !!w && typeof w.makeOutput === 'function' && typeof w.disposeData === 'function' && typeof w.incRef === 'function' && !!w.dataIdMap && !!w.wasm && w.wasm.HEAPF32 instanceof Float32Array;
}

/** Offset of a float32 tensor's data in HEAPF32 (elements). */
export function heapOffset(backend: WasmBackend, t: TensorInfo): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('tensor data not found on the wasm backend');
  return d.memoryOffset / 4;
}

export type KernelFunc = (args: { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> }) => TensorInfo;

/** Replaces one kernel of the wasm backend; returns the one it replaced so it can be restored or called. */
export function replaceKernel(t: typeof tf, kernelName: string, kernelFunc: KernelFunc): KernelFunc | undefined {
  const stock = t.getKernel(kernelName, 'wasm');
  if (stock) t.unregisterKernel(kernelName, 'wasm');
  t.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, ...(stock?.setupFunc ? { setupFunc: stock.setupFunc } : {}) });
  return stock?.kernelFunc as unknown as KernelFunc | undefined;
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
