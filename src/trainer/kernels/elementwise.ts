import type { NativeBlas } from './nativeBlas';
import { heapOffset, sizeOf, type KernelFunc } from './wasmInternals';

/** Exp over the vocabulary dominates log-softmax; libm's vectorised expf is several times the wasm loop. */
export function nativeExp(blas: NativeBlas): KernelFunc {
  return ({ inputs, backend }) => {
    const { x } = inputs;
    if (x.dtype !== 'float32') throw new Error(`Exp: unsupported dtype ${x.dtype}`);
    const out = backend.makeOutput(x.shape, 'float32');
    const n = sizeOf(x.shape);
    if (n > 0) blas.exp(backend.wasm.HEAPF32, heapOffset(backend, x), heapOffset(backend, out), n);
    return out;
  };
}

/**
 * Identity that shares the input's data instead of copying it (tensors are immutable; a variable's assign()
 * swaps its data id). The stock wasm kernel copies, and gradients call it hundreds of times per step.
 */
export function sharedIdentity(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return stock(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
