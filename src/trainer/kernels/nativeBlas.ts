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
    if (typeof blas.sgemm !== 'function') return (cached = { reason: `${file} is not the expected addon` });
    return (cached = { blas, reason: `${file} (${blas.config()})` });
  } catch (e) {
    return (cached = { reason: `${file} failed to load: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` });
  }
}
