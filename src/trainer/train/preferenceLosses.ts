import * as tf from '@tensorflow/tfjs';

// The KTO, ORPO and SimPO objectives as TRL 0.19.1 writes them (KTOTrainer.kto_loss, ORPOTrainer.odds_ratio_loss,
// CPOTrainer.cpo_loss with loss_type="simpo"). log σ(x) is written −softplus(−x): tf.logSigmoid's gradient is
// broken in tfjs 4.22 (see losses.ts).

const logSigmoid = (x: tf.Tensor): tf.Tensor => tf.softplus(x.neg()).neg();

export interface PairTerms {
  /** Mean over the batch of the preference term (the caller adds any NLL term). */
  loss: tf.Scalar;
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
  /** Extra scalars TRL logs under these names. */
  logged: Record<string, tf.Scalar>;
}

/**
 * ORPO's odds-ratio term on length-averaged log-probs: log odds = (πc − πr) − (log(1 − e^πc) − log(1 − e^πr));
 * TRL's loss = nll − mean(β·log σ(log odds)); rewards are β·π (no reference).
 */
export function orpoLoss(chosen: tf.Tensor1D, rejected: tf.Tensor1D, beta: number): PairTerms {
  return tf.tidy(() => {
    const log1mExp = (x: tf.Tensor) => tf.log1p(tf.exp(x).neg());
    const logOdds = chosen.sub(rejected).sub(log1mExp(chosen).sub(log1mExp(rejected)));
    const ratio = logSigmoid(logOdds);
    return {
      loss: ratio.mul(beta).mean().neg() as tf.Scalar,
      chosenRewards: chosen.mul(beta) as tf.Tensor1D,
      rejectedRewards: rejected.mul(beta) as tf.Tensor1D,
      logged: { log_odds_ratio: ratio.mean() as tf.Scalar, log_odds_chosen: logOdds.mean() as tf.Scalar },
    };
  });
}

/** SimPO on length-averaged log-probs: −log σ(β(πc − πr) − γ), i.e. TRL's logits − γ/β scaled by β. */
export function simpoLoss(chosen: tf.Tensor1D, rejected: tf.Tensor1D, beta: number, gamma: number): PairTerms {
  return tf.tidy(() => {
    const logits = chosen.sub(rejected).sub(gamma / beta);
    return {
      loss: logSigmoid(logits.mul(beta)).mean().neg() as tf.Scalar,
      chosenRewards: chosen.mul(beta) as tf.Tensor1D,
      rejectedRewards: rejected.mul(beta) as tf.Tensor1D,
      logged: {},
    };
  });
}

/** KTO's KL estimate: mean policy − reference log-prob of the mismatched pairs, clamped at 0, no gradient. */
export function ktoKl(policyKl: ArrayLike<number>, referenceKl: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < policyKl.length; i++) s += policyKl[i] - referenceKl[i];
  return Math.max(0, policyKl.length ? s / policyKl.length : 0);
}

export interface KtoTerms {
  loss: tf.Scalar;
  /** β·(π − ref) per example, desirable or not. */
  rewards: tf.Tensor1D;
}

/**
 * KTO (paper eq. 7, TRL loss_type "kto") on summed log-probs: desirable w_d·(1 − σ(β(r − z))), undesirable
 * w_u·(1 − σ(β(z − r))), r = π − ref, z the KL estimate; the mean over all examples of the batch.
 */
export function ktoLoss(policy: tf.Tensor1D, reference: tf.Tensor1D, desirable: boolean[], kl: number, beta: number, weights: { desirable: number; undesirable: number }): KtoTerms {
  return tf.tidy(() => {
    const ratio = policy.sub(reference);
    const sign = tf.tensor1d(desirable.map((d) => (d ? 1 : -1)));
    const weight = tf.tensor1d(desirable.map((d) => (d ? weights.desirable : weights.undesirable)));
    // 1 − σ(β·s·(r − z)) with s = +1 desirable, −1 undesirable.
    const losses = tf.scalar(1).sub(tf.sigmoid(ratio.sub(kl).mul(sign).mul(beta))).mul(weight);
    return { loss: losses.mean() as tf.Scalar, rewards: ratio.mul(beta) as tf.Tensor1D };
  });
}
