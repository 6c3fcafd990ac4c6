// BatchMatMul for the wasm backend. The stock kernel reaches XNNPACK's fast path only for a single 2-D product
// without transposes and runs a ~1 GFLOP/s scalar loop otherwise (every matmul gradient, every batched
// attention product). Here: OpenBLAS on the wasm heap when the native addon is present (all cases through
// cblas flags and strides); otherwise transposes are materialised and batches split into fast 2-D products.
import type { KernelFunc, TensorInfo, WasmBackend } from './wasmInternals';
import { heapOffset, sizeOf } from './wasmInternals';
import type { NativeBlas } from './nativeBlas';

interface Plan {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  /** For each output batch, the batch index into a and into b (broadcasting). */
  aIndex: (i: number) => number;
  bIndex: (i: number) => number;
  batch: number;
  /** Uniform strides (in matrices) when the batch maps linearly: a[i·sa], b[i·sb]. */
  uniform?: { sa: number; sb: number };
}

export function plan(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): Plan {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) throw new Error(`BatchMatMul needs rank ≥ 2 operands (got ${JSON.stringify(a.shape)} and ${JSON.stringify(b.shape)})`);
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const ka = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (ka !== kb) throw new Error(`Error in matMul: inner shapes (${ka}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transA} and transposeB=${transB} must match.`);
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const pa = [...new Array(rank - ba.length).fill(1), ...ba];
  const pb = [...new Array(rank - bb.length).fill(1), ...bb];
  const outBatch: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (pa[i] !== pb[i] && pa[i] !== 1 && pb[i] !== 1) throw new Error(`Operands could not be broadcast together with shapes ${a.shape} and ${b.shape}.`);
    outBatch.push(Math.max(pa[i], pb[i]));
  }
  const batch = sizeOf(outBatch);
  const sizeA = sizeOf(ba);
  const sizeB = sizeOf(bb);
  // Index of the operand's matrix for output batch i, honouring per-dimension broadcasting.
  const indexer = (p: number[]) => (i: number): number => {
    let idx = 0;
    let rem = i;
    let mul = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rem % outBatch[d];
      rem = Math.floor(rem / outBatch[d]);
      if (p[d] !== 1) idx += coord * mul;
      mul *= p[d];
    }
    return idx;
  };
  let uniform: Plan['uniform'];
  if ((sizeA === batch || sizeA === 1) && (sizeB === batch || sizeB === 1)) {
    const sameLayout = (p: number[]) => sizeOf(p) === 1 || p.every((d, i) => d === outBatch[i]);
    if (sameLayout(pa) && sameLayout(pb)) uniform = { sa: sizeA === 1 ? 0 : 1, sb: sizeB === 1 ? 0 : 1 };
  }
  return { outShape: [...outBatch, m, n], m, n, k: ka, aIndex: indexer(pa), bIndex: indexer(pb), batch, ...(uniform ? { uniform } : {}) };
}

/** All cases in OpenBLAS, reading and writing the wasm heap in place. */
export function nativeBatchMatMul(blas: NativeBlas): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs;
    const transA = attrs.transposeA === true;
    const transB = attrs.transposeB === true;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul for non non-float32 tensors not yet supported.');
    const p = plan(a, b, transA, transB);
    // Allocate first: growing wasm memory detaches earlier views of the heap.
    const out = backend.makeOutput(p.outShape, 'float32');
    if (p.batch === 0 || p.m === 0 || p.n === 0) return out;
    const heap = backend.wasm.HEAPF32;
    const aOff = heapOffset(backend, a);
    const bOff = heapOffset(backend, b);
    const cOff = heapOffset(backend, out);
    const lda = transA ? p.m : p.k;
    const ldb = transB ? p.k : p.n;
    const matA = p.m * p.k;
    const matB = p.k * p.n;
    const matC = p.m * p.n;
    if (p.uniform) {
      blas.sgemm(heap, transA, transB, p.m, p.n, p.k, 1, aOff, lda, bOff, ldb, 0, cOff, p.n, p.batch, p.uniform.sa * matA, p.uniform.sb * matB, matC);
    } else {
      for (let i = 0; i < p.batch; i++) {
        blas.sgemm(heap, transA, transB, p.m, p.n, p.k, 1, aOff + p.aIndex(i) * matA, lda, bOff + p.bIndex(i) * matB, ldb, 0, cOff + i * matC, p.n, 1, 0, 0, 0);
      }
    }
    return out;
  };
}

const CACHE_MIN = 1 << 16;
const CACHE_MAX_FLOATS = 128 * 2 ** 20; // 512 MB

/**
 * Transposed copies of large 2-D operands, keyed by data id: wasm tensors are immutable and a data id is never
 * reused, so a copy stays valid while its source lives. In x·Wᵀ the weight W is the same tensor for every call
 * (every generated token): transposing it once instead of per call is what makes pure-wasm generation usable.
 * Entries whose source was disposed are swept; the total is capped, beyond it transposes are not kept.
 */
class TransposeCache {
  private readonly entries = new Map<object, TensorInfo>();
  private floats = 0;
  private calls = 0;

  get(backend: WasmBackend, t: TensorInfo, make: () => TensorInfo): TensorInfo | undefined {
    if (++this.calls % 64 === 0) this.sweep(backend);
    const hit = this.entries.get(t.dataId);
    if (hit && backend.dataIdMap.has(hit.dataId)) return hit;
    const n = sizeOf(t.shape);
    if (this.floats + n > CACHE_MAX_FLOATS) return undefined;
    const tt = make();
    this.entries.set(t.dataId, tt);
    this.floats += n;
    return tt;
  }

  private sweep(backend: WasmBackend): void {
    for (const [src, tt] of this.entries) {
      if (backend.dataIdMap.has(src)) continue;
      backend.disposeData(tt.dataId);
      this.entries.delete(src);
      this.floats -= sizeOf(tt.shape);
    }
  }
}

const transposeCache = new TransposeCache();

/**
 * Pure wasm: materialise transposes with the (fast) Transpose kernel and run every product as a 2-D,
 * untransposed call of the stock kernel, which then takes XNNPACK's fast path.
 */
export function reroutedBatchMatMul(stockMatMul: KernelFunc, stockTranspose: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs;
    const transA = attrs.transposeA === true;
    const transB = attrs.transposeB === true;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul for non non-float32 tensors not yet supported.');
    const p = plan(a, b, transA, transB);
    const temps: TensorInfo[] = [];
    const as3d = (t: TensorInfo, trans: boolean): TensorInfo => {
      if (!trans) return t;
      if (t.shape.length === 2 && sizeOf(t.shape) >= CACHE_MIN) {
        const cached = transposeCache.get(backend, t, () => stockTranspose({ inputs: { x: t }, backend, attrs: { perm: [1, 0] } }));
        if (cached) return cached;
      }
      const r = t.shape.length;
      const perm = [...Array(r - 2).keys(), r - 1, r - 2];
      const tt = stockTranspose({ inputs: { x: t }, backend, attrs: { perm } });
      temps.push(tt);
      return tt;
    };
    try {
      const A = as3d(a, transA);
      const B = as3d(b, transB);
      if (p.batch === 0 || p.m === 0 || p.n === 0 || p.k === 0) {
        // An empty sum is 0 (the stock kernel leaves such outputs uninitialised).
        const out = backend.makeOutput(p.outShape, 'float32');
        const off = heapOffset(backend, out);
        backend.wasm.HEAPF32.fill(0, off, off + sizeOf(p.outShape));
        return out;
      }
      const plain = (x: TensorInfo, y: TensorInfo): TensorInfo => {
        const r = stockMatMul({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } });
        r.shape = p.outShape;
        return r;
      };
      if (p.batch === 1) return plain(view(A, [p.m, p.k]), view(B, [p.k, p.n]));
      const matA = p.m * p.k;
      const matB = p.k * p.n;
      const matC = p.m * p.n;
      // A broadcast operand becomes one 2-D block reused for every product (XNNPACK keeps it packed).
      const sharedB = sizeOf(B.shape.slice(0, -2)) === 1 ? view(B, [p.k, p.n]) : undefined;
      const sharedA = sizeOf(A.shape.slice(0, -2)) === 1 ? view(A, [p.m, p.k]) : undefined;
      // [batch·m, k] × [k, n] in one product.
      if (sharedB && !sharedA && p.uniform) return plain(view(A, [p.batch * p.m, p.k]), sharedB);
      const out = backend.makeOutput(p.outShape, 'float32');
      for (let i = 0; i < p.batch; i++) {
        const ai = sharedA ?? slice(backend, A, [p.m, p.k], p.aIndex(i) * matA);
        const bi = sharedB ?? slice(backend, B, [p.k, p.n], p.bIndex(i) * matB);
        const r = stockMatMul({ inputs: { a: ai, b: bi }, backend, attrs: { transposeA: false, transposeB: false } });
        copy(backend, r, out, i * matC, matC);
        backend.disposeData(r.dataId);
        if (!sharedA) backend.disposeData(ai.dataId);
        if (!sharedB) backend.disposeData(bi.dataId);
      }
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/** t's data under another shape of the same size: shares the data id, so no copy and nothing to dispose. */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: 'float32' };
}

function slice(backend: WasmBackend, t: TensorInfo, shape: number[], offset: number): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const heap = backend.wasm.HEAPF32;
  const src = heapOffset(backend, t) + offset;
  heap.copyWithin(heapOffset(backend, out), src, src + sizeOf(shape));
  return out;
}

function copy(backend: WasmBackend, from: TensorInfo, to: TensorInfo, toOffset: number, n: number): void {
  const heap = backend.wasm.HEAPF32;
  const src = heapOffset(backend, from);
  heap.copyWithin(heapOffset(backend, to) + toOffset, src, src + n);
}
