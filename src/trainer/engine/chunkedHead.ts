// The LM head and its log-softmax in row chunks: log p(target | h) for N positions without ever holding the
// [N, vocab] float32 logits. The backward pass recomputes one chunk of logits at a time (softmax − onehot),
// so peak memory is one chunk whatever the batch, sequence length or vocabulary.
import * as tf from '@tensorflow/tfjs';
import { logSoftmaxPick, logSoftmaxPickBackward } from '../kernels/fusedOps';

/** The output projection: logits = h · Wᵀ and its input gradient dh = dlogits · W. */
export interface OutputHead {
  vocabSize: number;
  forward(h: tf.Tensor2D): tf.Tensor2D;
  inputGrad(dLogits: tf.Tensor2D): tf.Tensor2D;
  /** Set when the head weight itself trains (pretraining): its gradient is accumulated chunk by chunk. */
  trainableWeight?: tf.Tensor2D;
  /** The whole log-softmax pick fused with the projection (a native frozen head): used instead of the chunks. */
  targetLogprobs?(h: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D;
}

/** float32 logits allowed at once (32 MB): ≥ 64 rows of a 128k vocabulary, the whole batch of a small one. */
const DEFAULT_BUDGET = 1 << 23;
let budget = DEFAULT_BUDGET;

/** Tests force chunking on tiny vocabularies; undefined restores the default. */
export function setLogitBudget(floats: number | undefined): void {
  budget = floats ?? DEFAULT_BUDGET;
}

export function logitChunkRows(vocabSize: number): number {
  return Math.max(1, Math.floor(budget / vocabSize));
}

function chunkStarts(n: number, rows: number): number[] {
  const s: number[] = [];
  for (let r = 0; r < n; r += rows) s.push(r);
  return s;
}

/** log_softmax(h Wᵀ)[i, targets[i]] for h [N, H]; differentiable w.r.t. h (and W when it trains). */
export function chunkedTargetLogprobs(h: tf.Tensor2D, targets: tf.Tensor1D, head: OutputHead): tf.Tensor1D {
  const [N, H] = h.shape;
  const rows = logitChunkRows(head.vocabSize);
  // One chunk: the plain path keeps its logits for the backward pass instead of recomputing them.
  if (N <= rows) return logSoftmaxPick(head.forward(h), targets);
  if (head.targetLogprobs) return head.targetLogprobs(h, targets);
  const ids = tf.cast(targets, 'int32');
  const starts = chunkStarts(N, rows);
  const slice = (t: tf.Tensor, r: number) => (t.rank === 1 ? tf.slice(t, [r], [Math.min(rows, N - r)]) : tf.slice(t, [r, 0], [Math.min(rows, N - r), H]));
  const forward = (hv: tf.Tensor2D): tf.Tensor1D => {
    const parts = starts.map((r) => tf.tidy(() => logSoftmaxPick(head.forward(slice(hv, r) as tf.Tensor2D), slice(ids, r) as tf.Tensor1D)));
    const out = tf.concat(parts) as tf.Tensor1D;
    parts.forEach((p) => p.dispose());
    return out;
  };
  const backward = (dy: tf.Tensor, hv: tf.Tensor2D, tv: tf.Tensor1D): tf.Tensor[] => {
    const dhParts: tf.Tensor[] = [];
    let dW: tf.Tensor | undefined;
    for (const r of starts) {
      // Each chunk in its own scope: the gradient's outer scope would otherwise keep every chunk's logits.
      const [dh, dWc] = tf.tidy(() => {
        const hc = slice(hv, r) as tf.Tensor2D;
        const dl = logSoftmaxPickBackward(head.forward(hc), slice(tv, r) as tf.Tensor1D, slice(dy, r) as tf.Tensor1D);
        return [head.inputGrad(dl), head.trainableWeight ? tf.matMul(dl, hc, true, false) : tf.zeros([0])];
      });
      dhParts.push(dh);
      if (head.trainableWeight) {
        const sum = dW ? tf.add(dW, dWc) : dWc;
        if (dW && dW !== sum) dW.dispose();
        if (sum !== dWc) dWc.dispose();
        dW = sum;
      } else dWc.dispose();
    }
    const dh = tf.concat(dhParts);
    dhParts.forEach((p) => p.dispose());
    return dW ? [dh, dW] : [dh];
  };
  type Saved = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const hv = args[0] as tf.Tensor2D;
    save([hv, ids]);
    const gradFunc: Saved = (dy, saved) => backward(dy, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor1D);
    return { value: forward(hv), gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (head.trainableWeight ? op(h, head.trainableWeight) : op(h)) as tf.Tensor1D;
}
