import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../core/runConfig';
import { chosenNll, dpoLoss } from './losses';
import { orpoLoss, simpoLoss, type PairTerms } from './preferenceLosses';

/** The chosen rows of a micro-batch as the objective's NLL terms need them. */
export interface ChosenSide {
  /** Per-token log-probs [B, T] (token t given tokens < t). */
  tokenLogprobs: tf.Tensor2D;
  /** Per-row sums over the response tokens [B]. */
  sums: tf.Tensor1D;
  /** Response tokens in the batch. */
  responseTokens: number;
  /** Attention mask [B, T] (1 on real tokens). */
  attention: tf.Tensor2D;
}

/**
 * What differs between the paired methods (DPO, ORPO, SimPO) once the policy's log-probs of both sides are known:
 * whether log-probs are averaged over response tokens, the preference term, and any NLL term on the chosen rows.
 * The paired loops in trainLoop.ts drive all three through this.
 */
export interface PairObjective {
  /** Length-normalised log-probs (TRL average_log_prob): DPO-IPO, ORPO and SimPO. */
  average: boolean;
  /** Reference log-probs are read (DPO); ORPO and SimPO ignore them. */
  usesReference: boolean;
  terms(chosen: tf.Tensor1D, rejected: tf.Tensor1D, refChosen: tf.Tensor1D, refRejected: tf.Tensor1D): PairTerms;
  /** The NLL term added to the loss (RPO for DPO, ORPO's own), with the name TRL logs it under; undefined when none. */
  chosenNll?(side: ChosenSide): { value: tf.Scalar; logAs?: string };
}

/** TRL's ORPO nll_loss: cross-entropy over prompt and answer of the chosen rows, the mean over their tokens. */
export function fullSequenceNll(tokenLogprobs: tf.Tensor2D, attention: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    // Token 0 has nothing to be predicted from (TRL shifts labels by one).
    const [rows, cols] = attention.shape;
    const notFirst = tf.concat([tf.zeros([rows, 1]), tf.ones([rows, cols - 1])], 1);
    const mask = attention.mul(notFirst);
    return tokenLogprobs.mul(mask).sum().neg().div(mask.sum().maximum(1)) as tf.Scalar;
  });
}

export function pairObjective(config: RunConfig): PairObjective {
  if (config.method === 'orpo') {
    return {
      average: true,
      usesReference: false,
      terms: (c, r) => orpoLoss(c, r, config.beta),
      chosenNll: (s) => ({ value: fullSequenceNll(s.tokenLogprobs, s.attention), logAs: 'nll_loss' }),
    };
  }
  if (config.method === 'simpo') {
    return { average: true, usesReference: false, terms: (c, r) => simpoLoss(c, r, config.beta, config.simpoGamma) };
  }
  if (config.method !== 'dpo') throw new Error(`${config.method} is not a paired preference method`);
  return {
    average: config.loss === 'ipo',
    usesReference: true,
    terms: (c, r, rc, rr) => ({ ...dpoLoss(c, r, rc, rr, config.beta, config.loss), logged: {} }),
    ...(config.rpoAlpha > 0 ? { chosenNll: (s: ChosenSide) => ({ value: chosenNll(s.sums, s.responseTokens).mul(config.rpoAlpha) as tf.Scalar }) } : {}),
  };
}
