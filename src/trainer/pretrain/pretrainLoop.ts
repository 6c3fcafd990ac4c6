// Full-parameter causal-LM training of the engine's own Llama model (trainableBase) — the same model code
// that later loads, fine-tunes and evaluates the result, so the sample model cannot drift from the engine.
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../engine/model';
import { AdamW, clipByGlobalNorm } from '../train/optimizer';
import { learningRateAt } from '../train/schedule';
import { SeededRandom } from './seededRandom';

export interface PretrainOptions {
  steps: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  seed: number;
  /** Called after every step with the training loss. */
  onStep?: (step: number, loss: number, lr: number, gradNorm: number) => void;
}

/** Mean next-token NLL over a batch of full windows. */
function windowLoss(model: LlamaModel, ids: tf.Tensor2D): tf.Scalar {
  const [B, T] = ids.shape;
  return tf.tidy(() => tf.div(tf.neg(tf.sum(model.tokenLogprobs(ids, undefined, { training: true }))), B * (T - 1)) as tf.Scalar);
}

function batchTensor(windows: Int32Array[], order: number[], from: number, batchSize: number): tf.Tensor2D {
  const T = windows[0].length;
  const flat = new Int32Array(batchSize * T);
  for (let b = 0; b < batchSize; b++) flat.set(windows[order[(from + b) % order.length]], b * T);
  return tf.tensor2d(flat, [batchSize, T], 'int32');
}

function shuffled(n: number, r: SeededRandom): number[] {
  return r.sample(Array.from({ length: n }, (_, i) => i), n);
}

/** Trains in place; windows are visited in a seeded order, reshuffled each epoch. */
export function pretrain(model: LlamaModel, windows: Int32Array[], opts: PretrainOptions): void {
  const vars = model.baseVariables();
  if (vars.length === 0) throw new Error('pretraining needs the model built with trainableBase');
  const opt = new AdamW(vars, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: opts.weightDecay });
  const r = new SeededRandom(opts.seed);
  let order = shuffled(windows.length, r);
  let pos = 0;
  try {
    for (let step = 0; step < opts.steps; step++) {
      if (pos + opts.batchSize > order.length) {
        order = shuffled(windows.length, r);
        pos = 0;
      }
      const ids = batchTensor(windows, order, pos, opts.batchSize);
      pos += opts.batchSize;
      const { value, grads } = tf.variableGrads(() => windowLoss(model, ids), vars);
      const ordered = vars.map((v) => grads[v.name]);
      const clipped = clipByGlobalNorm(ordered, 1.0);
      const lr = learningRateAt(step, { lr: opts.lr, warmupSteps: opts.warmupSteps, totalSteps: opts.steps, scheduler: 'cosine' });
      opt.apply(clipped.grads, lr);
      const loss = value.dataSync()[0];
      tf.dispose([ids, value, ...ordered, ...clipped.grads]);
      if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${step}`);
      opts.onStep?.(step, loss, lr, clipped.norm);
    }
  } finally {
    opt.dispose();
  }
}

/** Mean NLL over held-out windows (no gradients). */
export function heldOutLoss(model: LlamaModel, windows: Int32Array[], batchSize: number): number {
  let total = 0;
  let batches = 0;
  for (let i = 0; i + batchSize <= windows.length; i += batchSize) {
    const ids = batchTensor(windows, windows.map((_, j) => j), i, batchSize);
    const loss = tf.tidy(() => tf.div(tf.neg(tf.sum(model.tokenLogprobs(ids))), batchSize * (ids.shape[1] - 1)));
    total += loss.dataSync()[0];
    tf.dispose([ids, loss]);
    batches++;
  }
  return batches === 0 ? NaN : total / batches;
}
