// Frozen base weights kept by the native addon in their stored precision (f32/bf16/f16), outside the 4 GB wasm32
// heap, with the products the model needs: x·Wᵀ, its input gradient dy·W, and row lookups (embeddings). The wasm
// heap then holds only activations, LoRA tensors and the small norms/biases.
import * as tf from '@tensorflow/tfjs';
import { loadNativeBlas, type NativeBlas } from './nativeBlas';
import { heapOffset, sizeOf, type KernelFunc, type TensorInfo } from './wasmInternals';

export const FROZEN = { matMul: 'CftFrozenMatMul', rows: 'CftFrozenRows', headLogprobs: 'CftFrozenHeadLogprobs', headLogprobsTrain: 'CftFrozenHeadLogprobsTrain' } as const;

export type StoredDtype = 'F32' | 'BF16' | 'F16';
const DTYPE_CODE: Record<StoredDtype, number> = { F32: 0, BF16: 1, F16: 2 };

/** A [rows, cols] weight owned by the addon; free it with dispose(). */
export class NativeMatrix {
  private freed = false;
  constructor(
    private readonly blas: NativeBlas,
    readonly handle: number,
    readonly shape: [number, number],
    readonly dtype: StoredDtype,
  ) {}

  get bytes(): number {
    return this.shape[0] * this.shape[1] * (this.dtype === 'F32' ? 4 : 2);
  }

  /** The weight widened to float32 (folding an adapter into it). */
  toFloat32(): Float32Array {
    const out = new Float32Array(this.shape[0] * this.shape[1]);
    this.blas.weightToFloat32(this.handle, out);
    return out;
  }

  dispose(): void {
    if (this.freed) return;
    this.freed = true;
    this.blas.weightFree(this.handle);
  }
}

/** Native weights are used on the wasm backend whenever the addon's kernels are installed (CLINICAL_FT_NATIVE_WEIGHTS=0 opts out). */
export function nativeWeightsAvailable(): boolean {
  return process.env.CLINICAL_FT_NATIVE_WEIGHTS !== '0' && tf.getBackend() === 'wasm' && tf.getKernel(FROZEN.matMul, 'wasm') !== undefined;
}

/** Copies stored bytes (little-endian, as in safetensors) into addon memory. */
export function createNativeMatrix(bytes: Uint8Array | Float32Array, dtype: StoredDtype, shape: [number, number]): NativeMatrix {
  const blas = loadNativeBlas().blas;
  if (!blas) throw new Error('native weights need the kernels addon (npm run build:native)');
  const view = bytes instanceof Float32Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new NativeMatrix(blas, blas.weightCreate(view, DTYPE_CODE[dtype], shape[0], shape[1]), shape, dtype);
}

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** x [M, in] · Wᵀ → [M, out] for W [out, in]; transpose = true computes x [M, out] · W → [M, in]. */
function product(x: tf.Tensor, w: NativeMatrix, transpose: boolean): tf.Tensor2D {
  return run(FROZEN.matMul, { x }, { handle: w.handle, rows: w.shape[0], cols: w.shape[1], transpose }) as tf.Tensor2D;
}

/** x · Wᵀ, differentiable w.r.t. x (the weight is frozen). */
export function frozenLinear(x: tf.Tensor2D, w: NativeMatrix): tf.Tensor2D {
  const op = tf.customGrad(((xv: tf.Tensor) => ({
    value: product(xv, w, false),
    gradFunc: (dy: tf.Tensor) => product(dy, w, true),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor2D;
}

/** dy [M, out] · W → [M, in] (the LM head's input gradient, chunk by chunk). */
export function frozenInputGrad(dy: tf.Tensor2D, w: NativeMatrix): tf.Tensor2D {
  return product(dy, w, true);
}

/**
 * log softmax(h · Wᵀ)[i, targets[i]] for h [N, H] and the LM head W [V, H], differentiable w.r.t. h: the addon walks
 * the vocabulary in weight tiles (all rows per tile), so neither [N, V] logits nor a per-chunk re-widening of W exist
 * on the heap. Under a gradient tape the forward pass also returns g = Σ_j (onehot − softmax)_ij·W[j] (the logits
 * kept natively between its two walks), so the backward pass is dh = dy·g and never computes the logits again;
 * without a tape (scoring) it computes only the log-probabilities.
 */
export function frozenTargetLogprobs(h: tf.Tensor2D, targets: tf.Tensor1D, w: NativeMatrix): tf.Tensor1D {
  const ids = tf.cast(targets, 'int32');
  const attrs = { handle: w.handle, rows: w.shape[0], cols: w.shape[1] };
  const op = tf.customGrad(((hv: tf.Tensor, save: tf.GradSaveFunc) => {
    if (gradientTapeActive()) {
      const [lp, lse, g] = tf.engine().runKernel(FROZEN.headLogprobsTrain, { h: hv, targets: ids }, attrs) as tf.Tensor[];
      // The backward pass reads only g; the scoring path disposes its lse the same way.
      lse.dispose();
      save([g]);
      return { value: lp, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], tf.reshape(dy, [-1, 1])) };
    }
    const [lp, lse] = tf.engine().runKernel(FROZEN.headLogprobs, { h: hv, targets: ids }, attrs) as tf.Tensor[];
    lse.dispose();
    return {
      value: lp,
      gradFunc: () => {
        throw new Error('frozen head: no gradient tape was active in the forward pass');
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(h) as tf.Tensor1D;
}

/** Inside tf.grads / variableGrads (tfjs keeps no public flag for it): only then is a backward pass coming. */
function gradientTapeActive(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

/** Rows of W for int32 ids [N] → [N, cols] float32 (embedding lookup of a frozen table). */
export function frozenRows(w: NativeMatrix, ids: tf.Tensor1D): tf.Tensor2D {
  return run(FROZEN.rows, { ids: tf.cast(ids, 'int32') }, { handle: w.handle, cols: w.shape[1] }) as tf.Tensor2D;
}

function kernels(blas: NativeBlas): Record<string, KernelFunc> {
  return {
    [FROZEN.matMul]: ({ inputs: { x }, backend, attrs }) => {
      if (x.dtype !== 'float32') throw new Error(`frozen matmul: expected float32, got ${x.dtype}`);
      const rows = Number(attrs.rows);
      const cols = Number(attrs.cols);
      const transpose = attrs.transpose === true;
      const inDim = transpose ? rows : cols;
      const M = sizeOf(x.shape) / inDim;
      if (x.shape[x.shape.length - 1] !== inDim) throw new Error(`frozen matmul: input [${x.shape}] does not end in ${inDim}`);
      // Output first: allocation may grow wasm memory and detach older heap views.
      const out = backend.makeOutput([M, transpose ? cols : rows], 'float32');
      blas.weightMatMul(backend.wasm.HEAPF32, Number(attrs.handle), heapOffset(backend, x), heapOffset(backend, out), M, transpose);
      return out;
    },
    [FROZEN.headLogprobs]: ({ inputs: { h, targets }, backend, attrs }) => {
      if (h.dtype !== 'float32' || targets.dtype !== 'int32') throw new Error('frozen head: expected float32 h and int32 targets');
      const [n, cols] = h.shape;
      if (cols !== Number(attrs.cols)) throw new Error(`frozen head: h [${h.shape}] does not end in ${String(attrs.cols)}`);
      const lp = backend.makeOutput([n], 'float32');
      const lse = backend.makeOutput([n], 'float32');
      blas.headLogprobs(backend.wasm.HEAPF32, Number(attrs.handle), heapOffset(backend, h), heapOffset(backend, targets), heapOffset(backend, lp), heapOffset(backend, lse), n);
      return [lp, lse] as unknown as TensorInfo;
    },
    [FROZEN.headLogprobsTrain]: ({ inputs: { h, targets }, backend, attrs }) => {
      if (h.dtype !== 'float32' || targets.dtype !== 'int32') throw new Error('frozen head: expected float32 h and int32 targets');
      const [n, cols] = h.shape;
      if (cols !== Number(attrs.cols)) throw new Error(`frozen head: h [${h.shape}] does not end in ${String(attrs.cols)}`);
      const lp = backend.makeOutput([n], 'float32');
      const lse = backend.makeOutput([n], 'float32');
      const g = backend.makeOutput([n, cols], 'float32');
      blas.headLogprobsTrain(backend.wasm.HEAPF32, Number(attrs.handle), heapOffset(backend, h), heapOffset(backend, targets), heapOffset(backend, lp), heapOffset(backend, lse), heapOffset(backend, g), n);
      return [lp, lse, g] as unknown as TensorInfo;
    },
    [FROZEN.rows]: ({ inputs: { ids }, backend, attrs }) => {
      const n = sizeOf(ids.shape);
      const out = backend.makeOutput([n, Number(attrs.cols)], 'float32');
      blas.weightRows(backend.wasm.HEAPF32, Number(attrs.handle), heapOffset(backend, ids), heapOffset(backend, out), n);
      return out;
    },
  };
}

export function registerFrozenKernels(blas: NativeBlas): string[] {
  return Object.entries(kernels(blas)).map(([name, fn]) => {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
    return name;
  });
}

export function unregisterFrozenKernels(): void {
  for (const name of Object.values(FROZEN)) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
}
