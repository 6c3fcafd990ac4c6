// Differentiable fused ops for the model. Where the active backend has the fused kernels (wasm + native addon)
// each op is one kernel forward and one backward; elsewhere the same math runs as composite tfjs ops.
import * as tf from '@tensorflow/tfjs';
import { FUSED } from './fusedKernels';

let forceComposite = false;

/** Tests compare both paths on the same backend. */
export function setFusedOpsEnabled(enabled: boolean): void {
  forceComposite = !enabled;
}

export function fusedAvailable(kernel: string): boolean {
  return !forceComposite && tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor[] {
  const r = tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(r) ? r : [r];
}

type GradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/** tf.customGrad with the save function typed as the last argument (its own typing takes a rest union). */
function customOp<A extends unknown[]>(f: (...args: [...A, tf.GradSaveFunc]) => GradResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;
}

/** log softmax(logits)[i, targets[i]] for logits [N, V]. */
export function logSoftmaxPick(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  if (!fusedAvailable(FUSED.logSoftmaxPick)) {
    // softmaxCrossEntropy's own gradient (softmax − onehot) avoids a gather gradient, which wasm lacks;
    // the wasm OneHot kernel ignores a float32 dtype, hence int32 then cast.
    const labels = tf.cast(tf.oneHot(targets, logits.shape[1]), 'float32');
    return tf.neg(tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0, tf.Reduction.NONE)) as tf.Tensor1D;
  }
  const ids = tf.cast(targets, 'int32');
  const op = customOp((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [lp, lse] = run(FUSED.logSoftmaxPick, { logits: x, targets: ids });
    // Everything the gradient reads must be saved: tidy() scopes dispose the rest before backprop runs.
    save([x, lse, ids]);
    return {
      value: lp,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.logSoftmaxPickGrad, { logits: saved[0], lse: saved[1], targets: saved[2], dy })[0],
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** d/dlogits of dy[i] · log_softmax(logits)[i, targets[i]] = dy[i] · (onehot(targets) − softmax(logits)). */
export function logSoftmaxPickBackward(logits: tf.Tensor2D, targets: tf.Tensor1D, dy: tf.Tensor1D): tf.Tensor2D {
  const ids = tf.cast(targets, 'int32');
  if (!fusedAvailable(FUSED.logSoftmaxPick)) {
    const probs = tf.softmax(logits);
    const onehot = tf.cast(tf.oneHot(ids, logits.shape[1]), 'float32');
    return tf.mul(tf.sub(onehot, probs), tf.reshape(dy, [-1, 1])) as tf.Tensor2D;
  }
  const [, lse] = run(FUSED.logSoftmaxPick, { logits, targets: ids });
  return run(FUSED.logSoftmaxPickGrad, { logits, lse, targets: ids, dy })[0] as tf.Tensor2D;
}

/** Rotate-half RoPE of x [B, T, H, D] with cos/sin [T, D/2]. */
export function rope(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  if (!fusedAvailable(FUSED.rope)) {
    const half = x.shape[3] / 2;
    const c = tf.reshape(cos, [cos.shape[0], 1, half]);
    const s = tf.reshape(sin, [sin.shape[0], 1, half]);
    const [x1, x2] = tf.split(x, [half, half], 3);
    return tf.concat([tf.sub(tf.mul(x1, c), tf.mul(x2, s)), tf.add(tf.mul(x2, c), tf.mul(x1, s))], 3) as tf.Tensor4D;
  }
  const op = customOp((v: tf.Tensor, save: tf.GradSaveFunc) => {
    save([cos, sin]);
    return {
      value: run(FUSED.rope, { x: v, cos, sin }, { inverse: false })[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.rope, { x: dy, cos: saved[0], sin: saved[1] }, { inverse: true })[0],
    };
  });
  return op(x) as tf.Tensor4D;
}

/** silu(g) · u (the gated MLP activation). */
export function swiglu(g: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
  if (!fusedAvailable(FUSED.swiglu)) return tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D;
  const op = customOp((gv: tf.Tensor, uv: tf.Tensor, save: tf.GradSaveFunc) => {
    save([gv, uv]);
    return {
      value: run(FUSED.swiglu, { g: gv, u: uv })[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.swigluGrad, { g: saved[0], u: saved[1], dy }),
    };
  });
  return op(g, u) as tf.Tensor2D;
}

/** RMSNorm over the last axis, in float32 as HF: x · rsqrt(mean(x²) + eps) · w. */
export function rmsNorm(x: tf.Tensor, w: tf.Tensor1D, eps: number): tf.Tensor {
  if (!fusedAvailable(FUSED.rmsNorm)) {
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), w);
  }
  const op = customOp((xv: tf.Tensor, wv: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, rstd] = run(FUSED.rmsNorm, { x: xv, w: wv }, { eps });
    save([xv, wv, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.rmsNormGrad, { x: saved[0], w: saved[1], rstd: saved[2], dy }),
    };
  });
  return op(x, w);
}

/**
 * Rows of table [V, H] for int32 ids [N] → [N, H]. Gather has no gradient kernel on wasm (UnsortedSegmentSum):
 * the fused path scatter-adds natively; the composite fallback uses a one-hot product when the table trains.
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor1D, trainable: boolean): tf.Tensor2D {
  if (!fusedAvailable(FUSED.embed)) {
    if (!trainable) return tf.gather(table, ids) as tf.Tensor2D;
    return tf.matMul(tf.cast(tf.oneHot(ids, table.shape[0]), 'float32') as tf.Tensor2D, table);
  }
  const idx = tf.cast(ids, 'int32');
  const op = customOp((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([idx]);
    return {
      value: run(FUSED.embed, { table: t, ids: idx })[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.embedGrad, { ids: saved[0], dy }, { vocabSize: table.shape[0] })[0],
    };
  });
  return op(table) as tf.Tensor2D;
}

/** Whether attention() runs fused here (the model then skips building the composite path's inputs). */
export function fusedAttentionAvailable(): boolean {
  return fusedAvailable(FUSED.attention);
}

/**
 * Causal attention without a KV cache on q [B,T,H,D], k/v [B,T,KV,D] (query head j reads kv head j/(H/KV)),
 * keyMask [B,T] (1 = real) optional. Fused kernel only: callers check fusedAttentionAvailable() first.
 */
export function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, keyMask: tf.Tensor2D | undefined, scale: number): tf.Tensor4D {
  const mask = keyMask ? tf.cast(keyMask, 'float32') : undefined;
  const op = customOp((qv: tf.Tensor, kv: tf.Tensor, vv: tf.Tensor, save: tf.GradSaveFunc) => {
    const [out, probs] = run(FUSED.attention, mask ? { q: qv, k: kv, v: vv, mask } : { q: qv, k: kv, v: vv }, { scale });
    save([qv, kv, vv, probs]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.attentionGrad, { q: saved[0], k: saved[1], v: saved[2], probs: saved[3], dy }, { scale }),
    };
  });
  return op(q, k, v) as tf.Tensor4D;
}
