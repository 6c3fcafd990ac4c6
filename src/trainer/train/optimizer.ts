import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/**
 * AdamW as torch.optim.AdamW (decoupled weight decay, bias-corrected moments). Written out rather than
 * tf.train.adam so its moments can be checkpointed and restored bit for bit, and so the learning rate
 * can change every step.
 */
export class AdamW {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(
    private readonly vars: tf.Variable[],
    private readonly opts: AdamWOptions,
  ) {
    this.m = vars.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = vars.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  get stepCount(): number {
    return this.t;
  }

  /** grads[i] belongs to vars[i]. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      this.vars.forEach((p, i) => {
        const g = grads[i];
        const m = this.m[i].mul(beta1).add(g.mul(1 - beta1));
        const v = this.v[i].mul(beta2).add(g.square().mul(1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const decayed = weightDecay > 0 ? p.mul(1 - lr * weightDecay) : p;
        const update = m.div(bc1).div(v.div(bc2).sqrt().add(eps)).mul(lr);
        p.assign(decayed.sub(update));
      });
    });
  }

  getState(): AdamWState {
    return { step: this.t, m: this.m.map((x) => x.dataSync() as Float32Array).map((a) => a.slice()), v: this.v.map((x) => (x.dataSync() as Float32Array).slice()) };
  }

  setState(state: AdamWState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) throw new Error('optimizer state does not match the adapter');
    this.t = state.step;
    tf.tidy(() => {
      state.m.forEach((a, i) => this.m[i].assign(tf.tensor(a, this.m[i].shape)));
      state.v.forEach((a, i) => this.v[i].assign(tf.tensor(a, this.v[i].shape)));
    });
  }

  dispose(): void {
    this.m.forEach((x) => x.dispose());
    this.v.forEach((x) => x.dispose());
  }
}

/**
 * torch.nn.utils.clip_grad_norm_: scales all gradients by max/(norm+1e-6) when the global L2 norm
 * exceeds max. Returns the clipped gradients (new tensors) and the norm before clipping.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  const normT = tf.tidy(() => tf.addN(grads.map((g) => g.square().sum())).sqrt());
  const norm = normT.dataSync()[0];
  normT.dispose();
  const scale = Number.isFinite(norm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { grads: grads.map((g) => (scale === 1 ? g.clone() : g.mul(scale))), norm };
}
