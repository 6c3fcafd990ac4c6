import * as tf from '@tensorflow/tfjs';
import { EVAL_PREFIX, evalMetric, METRIC } from '../../core/metrics';
import type { RunConfig } from '../../core/runConfig';
import type { MetricsRecord } from '../../core/metrics';
import type { TrainableLM } from './lm';
import { AdamW, clipByGlobalNorm } from './optimizer';
import { learningRateAt } from './schedule';
import { BatchCursor, padBatch, type PaddedBatch } from './batching';
import { chosenNll, dpoLoss, sequenceLogps, sftLoss } from './losses';
import type { TokenizedExample } from '../prompt/renderRecord';
import type { DpoExample } from '../prompt/renderRecord';
import { Rng } from './rng';
import type { TrainerState } from './checkpoint';
import { assertBatchTrains } from './trainedTokens';

/** Reference sequence log-probs per pair (summed over response tokens) and response lengths. */
export interface ReferenceLogps {
  chosen: Float64Array;
  rejected: Float64Array;
}

/** `sources` names each training example (file:line) for messages about it. */
export type TrainData =
  | { method: 'sft'; train: TokenizedExample[]; eval?: TokenizedExample[]; sources?: string[] }
  | { method: 'dpo'; train: DpoExample[]; eval?: DpoExample[]; ref: ReferenceLogps; evalRef?: ReferenceLogps; sources?: string[] };

export type LoopOutcome =
  | { status: 'completed'; step: number }
  | { status: 'cancelled'; step: number }
  | { status: 'failed'; step: number; error: string };

export interface LoopHooks {
  metrics(record: MetricsRecord): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Saves a checkpoint of `state` (called every --save-every steps, on cancel and at the end). */
  checkpoint(state: TrainerState): Promise<void>;
  shouldStop(): boolean;
}

export function totalStepsFor(config: RunConfig, examples: number): number {
  if (config.steps !== undefined) return config.steps;
  const microPerEpoch = Math.ceil(examples / config.batchSize);
  return Math.max(1, Math.ceil(((config.epochs ?? 1) * microPerEpoch) / config.gradAccum));
}

function lengthsOf(data: TrainData): number[] {
  return data.method === 'sft' ? data.train.map((e) => e.ids.length) : data.train.map((e) => Math.max(e.chosen.ids.length, e.rejected.ids.length));
}

function tensors(b: PaddedBatch): { ids: tf.Tensor2D; attention: tf.Tensor2D; mask: tf.Tensor2D } {
  return {
    ids: tf.tensor2d(b.ids, [b.rows, b.cols], 'int32'),
    attention: tf.tensor2d(b.attention, [b.rows, b.cols]),
    mask: tf.tensor2d(b.lossMask, [b.rows, b.cols]),
  };
}

/** Numbers (not tensors) a micro-batch reports besides its loss. */
interface MicroStats {
  loss: number;
  numTokens: number;
  dpo?: { chosenRewards: number[]; rejectedRewards: number[]; chosenLogps: number[]; rejectedLogps: number[] };
}

/**
 * The loss of one micro-batch (used for evaluation and SFT training). DPO runs chosen and rejected as
 * one padded batch of 2B rows against cached reference log-probs — fine without a gradient tape.
 */
export function microLoss(model: TrainableLM, data: TrainData, indices: number[], config: RunConfig, split: 'train' | 'eval', training: boolean, padId: number) {
  if (data.method === 'sft') {
    const examples = (split === 'train' ? data.train : data.eval ?? []);
    const batch = padBatch(indices.map((i) => examples[i]), padId);
    return {
      numTokens: batch.numTokens,
      run: (): { loss: tf.Scalar; aux: tf.Tensor[] } => {
        const t = tensors(batch);
        const loss = sftLoss(model.tokenLogprobs(t.ids, t.attention, { training }), t.mask);
        return { loss, aux: [] };
      },
    };
  }
  const examples = split === 'train' ? data.train : data.eval ?? [];
  const ref = split === 'train' ? data.ref : data.evalRef;
  if (!ref) throw new Error('reference log-probs for the eval set are missing');
  const pairs = indices.map((i) => examples[i]);
  const batch = padBatch([...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], padId);
  const lengths = [...pairs.map((p) => p.chosen.lossMask.reduce((a, b) => a + b, 0)), ...pairs.map((p) => p.rejected.lossMask.reduce((a, b) => a + b, 0))].map((n) => Math.max(1, n));
  const b = pairs.length;
  // IPO works on length-averaged log-probs (as TRL); sigmoid and hinge on sums.
  const norm = config.loss === 'ipo' ? lengths : lengths.map(() => 1);
  const refC = Float32Array.from(indices.map((i, k) => ref.chosen[i] / norm[k]));
  const refR = Float32Array.from(indices.map((i, k) => ref.rejected[i] / norm[b + k]));
  return {
    numTokens: batch.numTokens,
    run: (): { loss: tf.Scalar; aux: tf.Tensor[] } => {
      const t = tensors(batch);
      const sums = sequenceLogps(model.tokenLogprobs(t.ids, t.attention, { training }), t.mask);
      const seq = sums.div(tf.tensor1d(norm)) as tf.Tensor1D;
      const pc = seq.slice(0, b);
      const pr = seq.slice(b, b);
      const terms = dpoLoss(pc, pr, tf.tensor1d(refC), tf.tensor1d(refR), config.beta, config.loss);
      const chosenTokens = lengths.slice(0, b).reduce((x, y) => x + y, 0);
      const loss = config.rpoAlpha > 0 ? (terms.loss.add(chosenNll(sums.slice(0, b), chosenTokens).mul(config.rpoAlpha)) as tf.Scalar) : terms.loss;
      return { loss, aux: [terms.chosenRewards, terms.rejectedRewards, pc, pr] };
    },
  };
}

function auxStats(aux: tf.Tensor[]): MicroStats['dpo'] {
  if (aux.length === 0) return undefined;
  const [c, r, pc, pr] = aux.map((t) => Array.from(t.dataSync()));
  return { chosenRewards: c, rejectedRewards: r, chosenLogps: pc, rejectedLogps: pr };
}

interface MicroGrads {
  loss: number;
  grads: tf.Tensor[];
  numTokens: number;
  dpo?: MicroStats['dpo'];
}

function gradsOf(vars: tf.Variable[], f: () => tf.Scalar): { value: number; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(f, vars);
  const v = value.dataSync()[0];
  value.dispose();
  return { value: v, grads: vars.map((x) => grads[x.name]) };
}

/**
 * Gradients of one micro-batch's loss scaled by `scale`. DPO never holds chosen and rejected
 * activations at once (that made its peak memory ~1.6× SFT's): the rejected side's log-probs are
 * computed first without gradients, then each side is differentiated with the other held constant —
 * the sum of the two is the exact gradient, at the cost of one extra forward pass.
 */
export function microGrads(model: TrainableLM, data: TrainData, indices: number[], config: RunConfig, vars: tf.Variable[], padId: number, scale: number): MicroGrads {
  if (data.method === 'sft') {
    const micro = microLoss(model, data, indices, config, 'train', true, padId);
    const { value, grads } = gradsOf(vars, () => micro.run().loss.mul(scale) as tf.Scalar);
    return { loss: value / scale, grads, numTokens: micro.numTokens };
  }
  const pairs = indices.map((i) => data.train[i]);
  const chosen = padBatch(pairs.map((p) => p.chosen), padId);
  const rejected = padBatch(pairs.map((p) => p.rejected), padId);
  const tokens = (e: TokenizedExample) => Math.max(1, e.lossMask.reduce((a, b) => a + b, 0));
  // IPO works on length-averaged log-probs (as TRL); sigmoid and hinge on sums.
  const normC = pairs.map((p) => (config.loss === 'ipo' ? tokens(p.chosen) : 1));
  const normR = pairs.map((p) => (config.loss === 'ipo' ? tokens(p.rejected) : 1));
  const refC = Float32Array.from(indices.map((i, k) => data.ref.chosen[i] / normC[k]));
  const refR = Float32Array.from(indices.map((i, k) => data.ref.rejected[i] / normR[k]));
  const sums = (b: PaddedBatch) => {
    const t = tensors(b);
    return sequenceLogps(model.tokenLogprobs(t.ids, t.attention, { training: true }), t.mask);
  };
  const prFirst = tf.tidy(() => sums(rejected).div(tf.tensor1d(normR)).dataSync().slice() as Float32Array);
  const chosenTokens = pairs.reduce((n, p) => n + tokens(p.chosen), 0);
  let pc: Float32Array = new Float32Array(0);
  // The RPO term depends on the chosen side only, so it joins this half of the split gradient.
  const chosenSide = gradsOf(vars, () => {
    const raw = sums(chosen);
    const c = raw.div(tf.tensor1d(normC)) as tf.Tensor1D;
    pc = c.dataSync().slice() as Float32Array;
    const dpo = dpoLoss(c, tf.tensor1d(prFirst), tf.tensor1d(refC), tf.tensor1d(refR), config.beta, config.loss).loss;
    const loss = config.rpoAlpha > 0 ? dpo.add(chosenNll(raw, chosenTokens).mul(config.rpoAlpha)) : dpo;
    return loss.mul(scale) as tf.Scalar;
  });
  let pr: Float32Array = new Float32Array(0);
  const rejectedSide = gradsOf(vars, () => {
    const r = sums(rejected).div(tf.tensor1d(normR)) as tf.Tensor1D;
    pr = r.dataSync().slice() as Float32Array;
    return dpoLoss(tf.tensor1d(pc), r, tf.tensor1d(refC), tf.tensor1d(refR), config.beta, config.loss).loss.mul(scale) as tf.Scalar;
  });
  const grads = chosenSide.grads.map((g, i) => g.add(rejectedSide.grads[i]));
  chosenSide.grads.forEach((g) => g.dispose());
  rejectedSide.grads.forEach((g) => g.dispose());
  const stats = tf.tidy(() => {
    const t = dpoLoss(tf.tensor1d(pc), tf.tensor1d(pr), tf.tensor1d(refC), tf.tensor1d(refR), config.beta, config.loss);
    return auxStats([t.chosenRewards, t.rejectedRewards, tf.tensor1d(pc), tf.tensor1d(pr)]);
  });
  // The chosen side's value is the whole loss (DPO plus any RPO term); the rejected side's lacks the RPO term.
  return { loss: chosenSide.value / scale, grads, numTokens: chosen.numTokens + rejected.numTokens, dpo: stats };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function dpoMetrics(all: NonNullable<MicroStats['dpo']>[], prefix: string): Record<string, number> {
  const c = all.flatMap((d) => d.chosenRewards);
  const r = all.flatMap((d) => d.rejectedRewards);
  return {
    [`${prefix}${METRIC.rewardsChosen}`]: mean(c),
    [`${prefix}${METRIC.rewardsRejected}`]: mean(r),
    [`${prefix}${METRIC.rewardsMargins}`]: mean(c.map((x, i) => x - r[i])),
    [`${prefix}${METRIC.rewardsAccuracies}`]: mean(c.map((x, i) => (x > r[i] ? 1 : 0))),
    [`${prefix}${METRIC.logpsChosen}`]: mean(all.flatMap((d) => d.chosenLogps)),
    [`${prefix}${METRIC.logpsRejected}`]: mean(all.flatMap((d) => d.rejectedLogps)),
  };
}

/** Loss and DPO metrics over the whole eval set in a fixed order, no gradients. */
export function evaluateLoss(model: TrainableLM, data: TrainData, config: RunConfig, padId: number): Record<string, number> | undefined {
  const n = data.eval?.length ?? 0;
  if (n === 0) return undefined;
  const losses: number[] = [];
  const weights: number[] = [];
  const dpo: NonNullable<MicroStats['dpo']>[] = [];
  for (let s = 0; s < n; s += config.batchSize) {
    const idx = Array.from({ length: Math.min(config.batchSize, n - s) }, (_, k) => s + k);
    const micro = microLoss(model, data, idx, config, 'eval', false, padId);
    const out = tf.tidy(() => {
      const { loss, aux } = micro.run();
      return { loss: loss.dataSync()[0], stats: auxStats(aux) };
    });
    losses.push(out.loss);
    weights.push(idx.length);
    if (out.stats) dpo.push(out.stats);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const result: Record<string, number> = { [evalMetric(METRIC.loss)]: losses.reduce((a, l, i) => a + l * weights[i], 0) / total };
  return data.method === 'dpo' ? { ...result, ...dpoMetrics(dpo, EVAL_PREFIX) } : result;
}

/**
 * The optimisation loop shared by SFT and DPO: gradient accumulation, global-norm clipping, AdamW with
 * the schedule, metrics every step, checkpoints every --save-every steps, cancel between steps, and a
 * stop with status failed when the loss or gradient stops being finite.
 */
export async function trainLoop(model: TrainableLM, data: TrainData, config: RunConfig, padId: number, hooks: LoopHooks, resume?: TrainerState): Promise<LoopOutcome> {
  const vars = model.lora.trainableVariables();
  if (vars.length === 0) throw new Error('the model has no trainable adapter variables');
  const optimizer = new AdamW(vars, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay });
  const totalSteps = totalStepsFor(config, data.train.length);
  const cursor = new BatchCursor(lengthsOf(data), config.batchSize, config.seed);
  let rng = Rng.fromSeed(config.seed, 0x7a17);
  let step = 0;
  let numTokens = 0;
  if (resume) {
    model.lora.setState(resume.adapter);
    optimizer.setState(resume.optimizer);
    cursor.position = { ...resume.position };
    rng = new Rng(resume.rngState);
    step = resume.step;
    numTokens = resume.numTokens;
  }
  const snapshot = (): TrainerState => ({
    step,
    position: { ...cursor.position },
    rngState: rng.state,
    adapter: model.lora.getState(),
    optimizer: optimizer.getState(),
    numTokens,
  });
  try {
    while (step < totalSteps) {
      // Yield to the event loop so signals and IPC (cancel) are seen between steps.
      await new Promise<void>((r) => setImmediate(r));
      if (hooks.shouldStop()) {
        await hooks.checkpoint(snapshot());
        return { status: 'cancelled', step };
      }
      const started = Date.now();
      const lr = learningRateAt(step, { lr: config.lr, warmupSteps: config.warmupSteps, totalSteps, scheduler: config.scheduler });
      const positionBefore = { ...cursor.position };
      let accumulated: tf.Tensor[] | undefined;
      let lossSum = 0;
      let stepTokens = 0;
      const dpoStats: NonNullable<MicroStats['dpo']>[] = [];
      // Checked before any gradient is computed, so a refusal leaves no tensors behind.
      const microBatches = Array.from({ length: config.gradAccum }, () => cursor.next());
      for (const indices of microBatches) assertBatchTrains(data.train, indices, data.sources, config.maxLength, step + 1);
      for (const indices of microBatches) {
        const micro = microGrads(model, data, indices, config, vars, padId, 1 / config.gradAccum);
        stepTokens += micro.numTokens;
        lossSum += micro.loss / config.gradAccum;
        if (micro.dpo) dpoStats.push(micro.dpo);
        if (!accumulated) accumulated = micro.grads;
        else {
          const sum = accumulated.map((a, i) => a.add(micro.grads[i]));
          accumulated.forEach((t) => t.dispose());
          micro.grads.forEach((t) => t.dispose());
          accumulated = sum;
        }
      }
      const grads = accumulated as tf.Tensor[];
      const clipped = clipByGlobalNorm(grads, config.maxGradNorm);
      grads.forEach((t) => t.dispose());
      if (!Number.isFinite(lossSum) || !Number.isFinite(clipped.norm)) {
        clipped.grads.forEach((t) => t.dispose());
        cursor.position = positionBefore;
        const what = !Number.isFinite(lossSum) ? `loss became ${lossSum}` : `gradient norm became ${clipped.norm}`;
        return {
          status: 'failed',
          step: step + 1,
          error: `Training stopped at step ${step + 1}: the ${what} (learning rate ${lr}). The update was not applied; lower --lr or check the data. Earlier checkpoints are kept.`,
        };
      }
      optimizer.apply(clipped.grads, lr);
      clipped.grads.forEach((t) => t.dispose());
      step += 1;
      numTokens += stepTokens;
      const seconds = Math.max(1e-3, (Date.now() - started) / 1000);
      hooks.metrics({
        step,
        epoch: Number(cursor.epochProgress.toFixed(4)),
        [METRIC.loss]: lossSum,
        [METRIC.learningRate]: lr,
        [METRIC.gradNorm]: clipped.norm,
        [METRIC.tokensPerSecond]: stepTokens / seconds,
        [METRIC.numTokens]: numTokens,
        ...(data.method === 'dpo' ? dpoMetrics(dpoStats, '') : {}),
      });
      if (config.evalEvery !== undefined && step % config.evalEvery === 0) {
        const ev = evaluateLoss(model, data, config, padId);
        if (ev) hooks.metrics({ step, epoch: Number(cursor.epochProgress.toFixed(4)), ...ev });
      }
      if (config.saveEvery !== undefined && step % config.saveEvery === 0 && step < totalSteps) await hooks.checkpoint(snapshot());
    }
    await hooks.checkpoint(snapshot());
    if (config.evalEvery === undefined || step % config.evalEvery !== 0) {
      const ev = evaluateLoss(model, data, config, padId);
      if (ev) hooks.metrics({ step, epoch: Number(cursor.epochProgress.toFixed(4)), ...ev });
    }
    return { status: 'completed', step };
  } finally {
    optimizer.dispose();
  }
}
