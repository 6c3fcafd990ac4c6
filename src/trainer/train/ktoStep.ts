import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../core/runConfig';
import { METRIC } from '../../core/metrics';
import type { TrainableLM } from './lm';
import { padBatch } from './batching';
import { sequenceLogps } from './losses';
import { ktoKl, ktoLoss } from './preferenceLosses';
import type { KtoExample, TokenizedExample } from '../prompt/renderRecord';
import type { MicroGrads, PreferenceStats, ReferenceLogps } from './trainLoop';

type KtoData = { train: KtoExample[]; eval?: KtoExample[]; ref: ReferenceLogps; evalRef?: ReferenceLogps };

function sumsOf(model: TrainableLM, examples: TokenizedExample[], padId: number, training: boolean): tf.Tensor1D {
  const b = padBatch(examples, padId);
  const ids = tf.tensor2d(b.ids, [b.rows, b.cols], 'int32');
  const attention = tf.tensor2d(b.attention, [b.rows, b.cols]);
  const mask = tf.tensor2d(b.lossMask, [b.rows, b.cols]);
  return sequenceLogps(model.tokenLogprobs(ids, attention, { training }), mask);
}

function stats(desirable: boolean[], rewards: ArrayLike<number>, logps: ArrayLike<number>, kl: number): PreferenceStats {
  const pick = (xs: ArrayLike<number>, want: boolean) => Array.from(xs).filter((_, i) => desirable[i] === want);
  return { chosenRewards: pick(rewards, true), rejectedRewards: pick(rewards, false), chosenLogps: pick(logps, true), rejectedLogps: pick(logps, false), logged: { [METRIC.kl]: kl } };
}

const weightsOf = (c: RunConfig) => ({ desirable: c.desirableWeight, undesirable: c.undesirableWeight });

/** The KL estimate of a batch: the policy on its mismatched rows (no gradient, as TRL) against the cached reference. */
function batchKl(model: TrainableLM, examples: KtoExample[], indices: number[], ref: ReferenceLogps, padId: number, training: boolean): number {
  const policy = tf.tidy(() => sumsOf(model, examples.map((e) => e.kl), padId, training).dataSync().slice());
  return ktoKl(policy, indices.map((i) => ref.rejected[i]));
}

/** KTO loss of a micro-batch without gradients (evaluation); the shape microLoss returns. */
export function ktoMicroLoss(model: TrainableLM, data: KtoData, indices: number[], config: RunConfig, split: 'train' | 'eval', training: boolean, padId: number) {
  const all = split === 'train' ? data.train : data.eval ?? [];
  const ref = split === 'train' ? data.ref : data.evalRef;
  if (!ref) throw new Error('reference log-probs for the eval set are missing');
  const examples = indices.map((i) => all[i]);
  const desirable = examples.map((e) => e.desirable);
  const numTokens = examples.reduce((n, e) => n + e.completion.ids.length + e.kl.ids.length, 0);
  return {
    numTokens,
    run: (): { loss: tf.Scalar; aux: tf.Tensor[]; logged?: Record<string, tf.Scalar> } => {
      const kl = batchKl(model, examples, indices, ref, padId, training);
      const policy = sumsOf(model, examples.map((e) => e.completion), padId, training);
      const terms = ktoLoss(policy, tf.tensor1d(indices.map((i) => ref.chosen[i])), desirable, kl, config.beta, weightsOf(config));
      const s = stats(desirable, terms.rewards.dataSync(), policy.dataSync(), kl);
      return {
        loss: terms.loss,
        aux: [tf.tensor1d(s.chosenRewards), tf.tensor1d(s.rejectedRewards), tf.tensor1d(s.chosenLogps), tf.tensor1d(s.rejectedLogps)],
        logged: { [METRIC.kl]: tf.scalar(kl) },
      };
    },
  };
}

/** Gradients of one KTO micro-batch's loss scaled by `scale`; the KL rows run forward only (TRL detaches the estimate). */
export function ktoMicroGrads(model: TrainableLM, data: KtoData, indices: number[], config: RunConfig, vars: tf.Variable[], padId: number, scale: number): MicroGrads {
  const examples = indices.map((i) => data.train[i]);
  const desirable = examples.map((e) => e.desirable);
  const kl = batchKl(model, examples, indices, data.ref, padId, true);
  const refSums = indices.map((i) => data.ref.chosen[i]);
  let rewards: Float32Array = new Float32Array(0);
  let logps: Float32Array = new Float32Array(0);
  const { value, grads } = tf.variableGrads(() => {
    const policy = sumsOf(model, examples.map((e) => e.completion), padId, true);
    logps = policy.dataSync().slice() as Float32Array;
    const terms = ktoLoss(policy, tf.tensor1d(refSums), desirable, kl, config.beta, weightsOf(config));
    rewards = terms.rewards.dataSync().slice() as Float32Array;
    return terms.loss.mul(scale) as tf.Scalar;
  }, vars);
  const loss = value.dataSync()[0] / scale;
  value.dispose();
  const numTokens = examples.reduce((n, e) => n + e.completion.ids.length + e.kl.ids.length, 0);
  return { loss, grads: vars.map((v) => grads[v.name]), numTokens, prefs: stats(desirable, rewards, logps, kl) };
}
