import * as fs from 'node:fs';
import * as path from 'node:path';

/** The optional N-API addon built from native/ (OpenBLAS); see native/README.md. */
export interface NativeBlas {
  sgemm(
    heap: Float32Array,
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    aOff: number,
    lda: number,
    bOff: number,
    ldb: number,
    beta: number,
    cOff: number,
    ldc: number,
    batch: number,
    strideA: number,
    strideB: number,
    strideC: number,
  ): void;
  exp(heap: Float32Array, inOff: number, outOff: number, n: number): void;
  logSoftmaxPick(heap: Float32Array, x: number, targets: number, lp: number, lse: number, n: number, v: number): void;
  logSoftmaxPickGrad(heap: Float32Array, x: number, lse: number, targets: number, dy: number, dx: number, n: number, v: number): void;
  rope(heap: Float32Array, x: number, cos: number, sin: number, y: number, rows: number, t: number, h: number, d: number, inverse: boolean): void;
  swiglu(heap: Float32Array, g: number, u: number, y: number, n: number): void;
  swigluGrad(heap: Float32Array, g: number, u: number, dy: number, dg: number, du: number, n: number): void;
  rmsNorm(heap: Float32Array, x: number, w: number, y: number, rstd: number, rows: number, h: number, eps: number): void;
  rmsNormGrad(heap: Float32Array, x: number, w: number, rstd: number, dy: number, dx: number, dw: number, rows: number, h: number): void;
  embed(heap: Float32Array, table: number, ids: number, out: number, n: number, v: number, h: number): void;
  embedGrad(heap: Float32Array, ids: number, dy: number, dtable: number, n: number, v: number, h: number): void;
  attention(heap: Float32Array, q: number, k: number, v: number, mask: number, out: number, probs: number, b: number, t: number, h: number, kv: number, d: number, scale: number): void;
  attentionGrad(heap: Float32Array, q: number, k: number, v: number, probs: number, dout: number, dq: number, dk: number, dv: number, b: number, t: number, h: number, kv: number, d: number, scale: number): void;
  weightCreate(bytes: Uint8Array | Float32Array, dtype: number, rows: number, cols: number): number;
  weightFree(handle: number): void;
  weightBytes(): number;
  weightMatMul(heap: Float32Array, handle: number, x: number, y: number, m: number, transpose: boolean): void;
  weightRows(heap: Float32Array, handle: number, ids: number, out: number, n: number): void;
  weightToFloat32(handle: number, out: Float32Array): void;
  headLogprobs(heap: Float32Array, handle: number, h: number, targets: number, lp: number, lse: number, n: number): void;
  headLogprobsTrain(heap: Float32Array, handle: number, h: number, targets: number, lp: number, lse: number, g: number, n: number): void;
  headKeepFloats(n: number): void;
  setThreads(n: number): void;
  config(): string;
}

const FILE = 'clinical_ft_blas.node';

function candidates(): string[] {
  const fromEnv = process.env.CLINICAL_FT_NATIVE_BLAS;
  const roots = [process.env.CLINICAL_FT_ROOT, path.join(__dirname, '..'), path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')].filter((r): r is string => !!r);
  return [...(fromEnv ? [fromEnv] : []), path.join(__dirname, FILE), ...roots.map((r) => path.join(r, 'native', 'build', 'Release', FILE))];
}

let cached: { blas?: NativeBlas; reason: string } | undefined;

/** Loads the addon once; absent or broken → undefined with the reason (the pure-wasm kernels are used). */
export function loadNativeBlas(): { blas?: NativeBlas; reason: string } {
  if (cached) return cached;
  if (process.env.CLINICAL_FT_NATIVE_BLAS === '0') return (cached = { reason: 'disabled by CLINICAL_FT_NATIVE_BLAS=0' });
  const file = candidates().find((f) => fs.existsSync(f));
  if (!file) return (cached = { reason: 'not built (npm run build:native)' });
  try {
    // A computed path keeps the bundler from trying to inline the binary.
    const blas = require(file) as NativeBlas;
    if (typeof blas.sgemm !== 'function' || typeof blas.attentionGrad !== 'function' || typeof blas.weightMatMul !== 'function' || typeof blas.headLogprobs !== 'function') return (cached = { reason: `${file} is not the expected addon` });
    return (cached = { blas, reason: `${file} (${blas.config()})` });
  } catch (e) {
    return (cached = { reason: `${file} failed to load: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` });
  }
}
