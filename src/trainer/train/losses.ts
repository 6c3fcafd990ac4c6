import * as tf from '@tensorflow/tfjs';

export type DpoLossType = 'sigmoid' | 'ipo' | 'hinge';

/** Mean negative log-likelihood over the tokens the loss mask selects (TRL's token-averaged SFT loss). */
export function sftLoss(tokenLogprobs: tf.Tensor2D, lossMask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tokenLogprobs.mul(lossMask).sum().neg().div(lossMask.sum().maximum(1)) as tf.Scalar);
}

/** Per-row sum of response-token log-probs ([B]). */
export function sequenceLogps(tokenLogprobs: tf.Tensor2D, lossMask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tokenLogprobs.mul(lossMask).sum(1) as tf.Tensor1D);
}

/**
 * RPO's extra term: the chosen answers' negative log-likelihood averaged over their tokens in the batch
 * (TRL's nll_loss), from per-row sums of chosen-token log-probs.
 */
export function chosenNll(chosenSums: tf.Tensor1D, chosenTokens: number): tf.Scalar {
  return tf.tidy(() => chosenSums.sum().neg().div(Math.max(1, chosenTokens)) as tf.Scalar);
}

export interface DpoTerms {
  loss: tf.Scalar;
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
}

/**
 * DPO losses as TRL computes them from policy/reference sequence log-probs; logits = (πc − πr) − (refc − refr).
 * sigmoid: −log σ(β·logits), written −softplus form because tf.logSigmoid's gradient is broken in tfjs 4.22;
 * ipo: (logits − 1/(2β))² on length-averaged log-probs (the caller passes averages); hinge: relu(1 − β·logits).
 */
export function dpoLoss(
  policyChosen: tf.Tensor1D,
  policyRejected: tf.Tensor1D,
  refChosen: tf.Tensor1D,
  refRejected: tf.Tensor1D,
  beta: number,
  type: DpoLossType,
): DpoTerms {
  return tf.tidy(() => {
    const chosenRatio = policyChosen.sub(refChosen);
    const rejectedRatio = policyRejected.sub(refRejected);
    const logits = chosenRatio.sub(rejectedRatio);
    let losses: tf.Tensor;
    if (type === 'sigmoid') losses = tf.softplus(logits.mul(-beta));
    else if (type === 'ipo') losses = logits.sub(1 / (2 * beta)).square();
    else losses = tf.relu(tf.scalar(1).sub(logits.mul(beta)));
    return {
      loss: losses.mean() as tf.Scalar,
      chosenRewards: chosenRatio.mul(beta) as tf.Tensor1D,
      rejectedRewards: rejectedRatio.mul(beta) as tf.Tensor1D,
    };
  });
}
