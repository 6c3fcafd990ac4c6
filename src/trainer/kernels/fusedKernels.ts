// Fused float32 kernels for the wasm backend, computed by the native addon directly on the wasm heap.
// fusedOps.ts wraps them with their gradients and falls back to composite tfjs ops where they are absent.
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from './nativeBlas';
import { heapOffset, sizeOf, type KernelFunc, type TensorInfo, type WasmBackend } from './wasmInternals';

export const FUSED = {
  logSoftmaxPick: 'CftLogSoftmaxPick',
  logSoftmaxPickGrad: 'CftLogSoftmaxPickGrad',
  rope: 'CftRope',
  swiglu: 'CftSwiGLU',
  swigluGrad: 'CftSwiGLUGrad',
  rmsNorm: 'CftRmsNorm',
  rmsNormGrad: 'CftRmsNormGrad',
  embed: 'CftEmbed',
  embedGrad: 'CftEmbedGrad',
  attention: 'CftAttention',
  attentionGrad: 'CftAttentionGrad',
} as const;

function f32(...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`fused kernel: expected float32, got ${t.dtype}`);
}

/** Allocates all outputs first (allocation may grow memory and detach older heap views), then runs body. */
function withOutputs(backend: WasmBackend, shapes: number[][], body: (heap: Float32Array, offs: number[], outs: TensorInfo[]) => void): TensorInfo[] {
  const outs = shapes.map((s) => backend.makeOutput(s, 'float32'));
  body(
    backend.wasm.HEAPF32,
    outs.map((o) => heapOffset(backend, o)),
    outs,
  );
  return outs;
}

function kernels(blas: NativeBlas): Record<string, KernelFunc> {
  return {
    [FUSED.logSoftmaxPick]: ({ inputs: { logits, targets }, backend }) => {
      f32(logits);
      if (targets.dtype !== 'int32') throw new Error('logSoftmaxPick: targets must be int32');
      const [n, v] = logits.shape;
      return withOutputs(backend, [[n], [n]], (heap, [lp, lse]) =>
        blas.logSoftmaxPick(heap, heapOffset(backend, logits), heapOffset(backend, targets), lp, lse, n, v),
      ) as unknown as TensorInfo;
    },
    [FUSED.logSoftmaxPickGrad]: ({ inputs: { logits, lse, targets, dy }, backend }) => {
      f32(logits, lse, dy);
      const [n, v] = logits.shape;
      return withOutputs(backend, [[n, v]], (heap, [dx]) =>
        blas.logSoftmaxPickGrad(heap, heapOffset(backend, logits), heapOffset(backend, lse), heapOffset(backend, targets), heapOffset(backend, dy), dx, n, v),
      )[0];
    },
    [FUSED.rope]: ({ inputs: { x, cos, sin }, backend, attrs }) => {
      f32(x, cos, sin);
      const [b, t, h, d] = x.shape;
      return withOutputs(backend, [x.shape], (heap, [y]) =>
        blas.rope(heap, heapOffset(backend, x), heapOffset(backend, cos), heapOffset(backend, sin), y, b * t, t, h, d, attrs.inverse === true),
      )[0];
    },
    [FUSED.swiglu]: ({ inputs: { g, u }, backend }) => {
      f32(g, u);
      return withOutputs(backend, [g.shape], (heap, [y]) => blas.swiglu(heap, heapOffset(backend, g), heapOffset(backend, u), y, sizeOf(g.shape)))[0];
    },
    [FUSED.swigluGrad]: ({ inputs: { g, u, dy }, backend }) => {
      f32(g, u, dy);
      return withOutputs(backend, [g.shape, g.shape], (heap, [dg, du]) =>
        blas.swigluGrad(heap, heapOffset(backend, g), heapOffset(backend, u), heapOffset(backend, dy), dg, du, sizeOf(g.shape)),
      ) as unknown as TensorInfo;
    },
    [FUSED.rmsNorm]: ({ inputs: { x, w }, backend, attrs }) => {
      f32(x, w);
      const h = x.shape[x.shape.length - 1];
      const rows = sizeOf(x.shape) / h;
      return withOutputs(backend, [x.shape, [rows]], (heap, [y, rstd]) =>
        blas.rmsNorm(heap, heapOffset(backend, x), heapOffset(backend, w), y, rstd, rows, h, Number(attrs.eps)),
      ) as unknown as TensorInfo;
    },
    [FUSED.rmsNormGrad]: ({ inputs: { x, w, rstd, dy }, backend }) => {
      f32(x, w, rstd, dy);
      const h = x.shape[x.shape.length - 1];
      const rows = sizeOf(x.shape) / h;
      return withOutputs(backend, [x.shape, [h]], (heap, [dx, dw]) =>
        blas.rmsNormGrad(heap, heapOffset(backend, x), heapOffset(backend, w), heapOffset(backend, rstd), heapOffset(backend, dy), dx, dw, rows, h),
      ) as unknown as TensorInfo;
    },
    [FUSED.embed]: ({ inputs: { table, ids }, backend }) => {
      f32(table);
      if (ids.dtype !== 'int32') throw new Error('embed: ids must be int32');
      const [v, h] = table.shape;
      const n = sizeOf(ids.shape);
      return withOutputs(backend, [[n, h]], (heap, [out]) => blas.embed(heap, heapOffset(backend, table), heapOffset(backend, ids), out, n, v, h))[0];
    },
    [FUSED.embedGrad]: ({ inputs: { ids, dy }, backend, attrs }) => {
      f32(dy);
      const v = Number(attrs.vocabSize);
      const h = dy.shape[dy.shape.length - 1];
      const n = sizeOf(ids.shape);
      return withOutputs(backend, [[v, h]], (heap, [dt]) => blas.embedGrad(heap, heapOffset(backend, ids), heapOffset(backend, dy), dt, n, v, h))[0];
    },
    [FUSED.attention]: ({ inputs: { q, k, v, mask }, backend, attrs }) => {
      f32(q, k, v);
      const [b, t, h, d] = q.shape;
      const kv = k.shape[2];
      if (mask) f32(mask);
      return withOutputs(backend, [q.shape, [b, h, t, t]], (heap, [out, probs]) =>
        blas.attention(heap, heapOffset(backend, q), heapOffset(backend, k), heapOffset(backend, v), mask ? heapOffset(backend, mask) : -1, out, probs, b, t, h, kv, d, Number(attrs.scale)),
      ) as unknown as TensorInfo;
    },
    [FUSED.attentionGrad]: ({ inputs: { q, k, v, probs, dy }, backend, attrs }) => {
      f32(q, k, v, probs, dy);
      const [b, t, h, d] = q.shape;
      const kv = k.shape[2];
      return withOutputs(backend, [q.shape, k.shape, v.shape], (heap, [dq, dk, dv]) =>
        blas.attentionGrad(heap, heapOffset(backend, q), heapOffset(backend, k), heapOffset(backend, v), heapOffset(backend, probs), heapOffset(backend, dy), dq, dk, dv, b, t, h, kv, d, Number(attrs.scale)),
      ) as unknown as TensorInfo;
    },
  };
}

export function registerFusedKernels(blas: NativeBlas): string[] {
  const names: string[] = [];
  for (const [name, fn] of Object.entries(kernels(blas))) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
    names.push(name);
  }
  return names;
}

export function unregisterFusedKernels(): void {
  for (const name of Object.values(FUSED)) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
}
