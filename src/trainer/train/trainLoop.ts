import * as tf from '@tensorflow/tfjs';
import { EVAL_PREFIX, evalMetric, METRIC } from '../../core/metrics';
import type { RunConfig } from '../../core/runConfig';
import type { MetricsRecord } from '../../core/metrics';
import type { TrainableLM } from './lm';
import { AdamW, clipByGlobalNorm } from './optimizer';
import { learningRateAt } from './schedule';
import { BatchCursor, padBatch, type PaddedBatch } from './batching';
import { sequenceLogps, sftLoss } from './losses';
import { pairObjective } from './pairObjective';
import { ktoMicroGrads, ktoMicroLoss } from './ktoStep';
import type { TokenizedExample } from '../prompt/renderRecord';
import type { DpoExample, KtoExample } from '../prompt/renderRecord';
import { Rng } from './rng';
import type { TrainerState } from './checkpoint';
import { assertBatchTrains } from './trainedTokens';

/** Reference sequence log-probs per pair (summed over response tokens); KTO stores each example's in `chosen` and its mismatched KL row's in `rejected`. */
export interface ReferenceLogps {
  chosen: Float64Array;
  rejected: Float64Array;
}

/**
 * `sources` names each training example (file:line) for messages about it. The `dpo` shape serves every paired
 * method (DPO, ORPO, SimPO: config.method picks the objective); only DPO carries reference log-probs.
 */
export type TrainData =
  | { method: 'sft'; train: TokenizedExample[]; eval?: TokenizedExample[]; sources?: string[] }
  | { method: 'dpo'; train: DpoExample[]; eval?: DpoExample[]; ref?: ReferenceLogps; evalRef?: ReferenceLogps; sources?: string[] }
  | { method: 'kto'; train: KtoExample[]; eval?: KtoExample[]; ref: ReferenceLogps; evalRef?: ReferenceLogps; sources?: string[] };

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
  if (data.method === 'sft') return data.train.map((e) => e.ids.length);
  if (data.method === 'kto') return data.train.map((e) => Math.max(e.completion.ids.length, e.kl.ids.length));
  return data.train.map((e) => Math.max(e.chosen.ids.length, e.rejected.ids.length));
}

function tensors(b: PaddedBatch): { ids: tf.Tensor2D; attention: tf.Tensor2D; mask: tf.Tensor2D } {
  return {
    ids: tf.tensor2d(b.ids, [b.rows, b.cols], 'int32'),
    attention: tf.tensor2d(b.attention, [b.rows, b.cols]),
    mask: tf.tensor2d(b.lossMask, [b.rows, b.cols]),
  };
}

/**
 * Numbers (not tensors) a preference micro-batch reports besides its loss. Paired methods: one entry per pair on
 * each side; KTO: the desirable examples on the chosen side, the undesirable ones on the rejected side.
 */
export type PreferenceStats = {
  chosenRewards: number[];
  rejectedRewards: number[];
  chosenLogps: number[];
  rejectedLogps: number[];
  /** Scalars TRL logs by name (ORPO's nll_loss and log odds, KTO's kl). */
  logged: Record<string, number>;
};

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
      run: (): { loss: tf.Scalar; aux: tf.Tensor[]; logged?: Record<string, tf.Scalar> } => {
        const t = tensors(batch);
        const loss = sftLoss(model.tokenLogprobs(t.ids, t.attention, { training }), t.mask);
        return { loss, aux: [] };
      },
    };
  }
  if (data.method === 'kto') return ktoMicroLoss(model, data, indices, config, split, training, padId);
  const examples = split === 'train' ? data.train : data.eval ?? [];
  const objective = pairObjective(config);
  const ref = split === 'train' ? data.ref : data.evalRef;
  if (objective.usesReference && !ref) throw new Error('reference log-probs for the eval set are missing');
  const pairs = indices.map((i) => examples[i]);
  const batch = padBatch([...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], padId);
  const lengths = [...pairs.map((p) => p.chosen.lossMask.reduce((a, b) => a + b, 0)), ...pairs.map((p) => p.rejected.lossMask.reduce((a, b) => a + b, 0))].map((n) => Math.max(1, n));
  const b = pairs.length;
  const norm = objective.average ? lengths : lengths.map(() => 1);
  const refC = Float32Array.from(indices.map((i, k) => (ref ? ref.chosen[i] / norm[k] : 0)));
  const refR = Float32Array.from(indices.map((i, k) => (ref ? ref.rejected[i] / norm[b + k] : 0)));
  return {
    numTokens: batch.numTokens,
    run: (): { loss: tf.Scalar; aux: tf.Tensor[]; logged?: Record<string, tf.Scalar> } => {
      const t = tensors(batch);
      const tokenLogprobs = model.tokenLogprobs(t.ids, t.attention, { training });
      const sums = sequenceLogps(tokenLogprobs, t.mask);
      const seq = sums.div(tf.tensor1d(norm)) as tf.Tensor1D;
      const pc = seq.slice(0, b);
      const pr = seq.slice(b, b);
      const terms = objective.terms(pc, pr, tf.tensor1d(refC), tf.tensor1d(refR));
      const chosenTokens = lengths.slice(0, b).reduce((x, y) => x + y, 0);
      const nll = objective.chosenNll?.({ tokenLogprobs: tokenLogprobs.slice([0, 0], [b, -1]), sums: sums.slice(0, b), responseTokens: chosenTokens, attention: t.attention.slice([0, 0], [b, -1]) });
      const loss = nll ? (terms.loss.add(nll.value) as tf.Scalar) : terms.loss;
      const logged = { ...terms.logged, ...(nll?.logAs ? { [nll.logAs]: nll.value } : {}) };
      return { loss, aux: [terms.chosenRewards, terms.rejectedRewards, pc, pr], logged };
    },
  };
}

function auxStats(aux: tf.Tensor[], logged: Record<string, tf.Scalar> = {}): PreferenceStats | undefined {
  if (aux.length === 0) return undefined;
  const [c, r, pc, pr] = aux.map((t) => Array.from(t.dataSync()));
  const named = Object.fromEntries(Object.entries(logged).map(([k, v]) => [k, v.dataSync()[0]]));
  return { chosenRewards: c, rejectedRewards: r, chosenLogps: pc, rejectedLogps: pr, logged: named };
}

export interface MicroGrads {
  loss: number;
  grads: tf.Tensor[];
  numTokens: number;
  prefs?: PreferenceStats;
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
  if (data.method === 'kto') return ktoMicroGrads(model, data, indices, config, vars, padId, scale);
  const objective = pairObjective(config);
  const pairs = indices.map((i) => data.train[i]);
  const chosen = padBatch(pairs.map((p) => p.chosen), padId);
  const rejected = padBatch(pairs.map((p) => p.rejected), padId);
  const tokens = (e: TokenizedExample) => Math.max(1, e.lossMask.reduce((a, b) => a + b, 0));
  const normC = pairs.map((p) => (objective.average ? tokens(p.chosen) : 1));
  const normR = pairs.map((p) => (objective.average ? tokens(p.rejected) : 1));
  const ref = data.ref;
  const refC = Float32Array.from(indices.map((i, k) => (ref ? ref.chosen[i] / normC[k] : 0)));
  const refR = Float32Array.from(indices.map((i, k) => (ref ? ref.rejected[i] / normR[k] : 0)));
  const forward = (b: PaddedBatch) => {
    const t = tensors(b);
    const tokenLogprobs = model.tokenLogprobs(t.ids, t.attention, { training: true });
    return { tokenLogprobs, sums: sequenceLogps(tokenLogprobs, t.mask), attention: t.attention };
  };
  const terms = (c: tf.Tensor1D, r: tf.Tensor1D) => objective.terms(c, r, tf.tensor1d(refC), tf.tensor1d(refR));
  const prFirst = tf.tidy(() => forward(rejected).sums.div(tf.tensor1d(normR)).dataSync().slice() as Float32Array);
  const chosenTokens = pairs.reduce((n, p) => n + tokens(p.chosen), 0);
  let pc: Float32Array = new Float32Array(0);
  let nllValue: { name: string; value: number } | undefined;
  // Any NLL term depends on the chosen side only, so it joins this half of the split gradient.
  const chosenSide = gradsOf(vars, () => {
    const f = forward(chosen);
    const c = f.sums.div(tf.tensor1d(normC)) as tf.Tensor1D;
    pc = c.dataSync().slice() as Float32Array;
    const pref = terms(c, tf.tensor1d(prFirst)).loss;
    const nll = objective.chosenNll?.({ tokenLogprobs: f.tokenLogprobs, sums: f.sums, responseTokens: chosenTokens, attention: f.attention });
    if (nll?.logAs) nllValue = { name: nll.logAs, value: nll.value.dataSync()[0] };
    const loss = nll ? pref.add(nll.value) : pref;
    return loss.mul(scale) as tf.Scalar;
  });
  let pr: Float32Array = new Float32Array(0);
  const rejectedSide = gradsOf(vars, () => {
    const r = forward(rejected).sums.div(tf.tensor1d(normR)) as tf.Tensor1D;
    pr = r.dataSync().slice() as Float32Array;
    return terms(tf.tensor1d(pc), r).loss.mul(scale) as tf.Scalar;
  });
  const grads = chosenSide.grads.map((g, i) => g.add(rejectedSide.grads[i]));
  chosenSide.grads.forEach((g) => g.dispose());
  rejectedSide.grads.forEach((g) => g.dispose());
  const stats = tf.tidy(() => {
    const t = terms(tf.tensor1d(pc), tf.tensor1d(pr));
    return auxStats([t.chosenRewards, t.rejectedRewards, tf.tensor1d(pc), tf.tensor1d(pr)], t.logged);
  });
  if (stats && nllValue) stats.logged[nllValue.name] = nllValue.value;
  // The chosen side's value is the whole loss (preference term plus any NLL term); the rejected side's lacks the NLL term.
  return { loss: chosenSide.value / scale, grads, numTokens: chosen.numTokens + rejected.numTokens, ...(stats ? { prefs: stats } : {}) };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

const meanOfLogged = (all: PreferenceStats[]): Record<string, number> => {
  const names = [...new Set(all.flatMap((d) => Object.keys(d.logged)))];
  return Object.fromEntries(names.map((n) => [n, mean(all.flatMap((d) => (n in d.logged ? [d.logged[n]] : [])))]));
};

/** TRL's preference metrics for a step or an eval pass: DPO/ORPO/SimPO (paired, with accuracies) or KTO (unpaired). */
function preferenceMetrics(method: RunConfig['method'], all: PreferenceStats[], prefix: string): Record<string, number> {
  const c = all.flatMap((d) => d.chosenRewards);
  const r = all.flatMap((d) => d.rejectedRewards);
  const out: Record<string, number> = {};
  const put = (name: string, v: number) => {
    out[`${prefix}${name}`] = v;
  };
  if (method === 'kto') {
    // KTOTrainer reports each side only when the batch had one, and the margin as the difference of the means.
    if (c.length) {
      put(METRIC.rewardsChosen, mean(c));
      put(METRIC.logpsChosen, mean(all.flatMap((d) => d.chosenLogps)));
    }
    if (r.length) {
      put(METRIC.rewardsRejected, mean(r));
      put(METRIC.logpsRejected, mean(all.flatMap((d) => d.rejectedLogps)));
    }
    if (c.length && r.length) put(METRIC.rewardsMargins, mean(c) - mean(r));
  } else {
    put(METRIC.rewardsChosen, mean(c));
    put(METRIC.rewardsRejected, mean(r));
    put(METRIC.rewardsMargins, mean(c.map((x, i) => x - r[i])));
    put(METRIC.rewardsAccuracies, mean(c.map((x, i) => (x > r[i] ? 1 : 0))));
    put(METRIC.logpsChosen, mean(all.flatMap((d) => d.chosenLogps)));
    put(METRIC.logpsRejected, mean(all.flatMap((d) => d.rejectedLogps)));
  }
  for (const [k, v] of Object.entries(meanOfLogged(all))) put(k, v);
  return out;
}

/** Loss and preference metrics over the whole eval set in a fixed order, no gradients. */
export function evaluateLoss(model: TrainableLM, data: TrainData, config: RunConfig, padId: number): Record<string, number> | undefined {
  const n = data.eval?.length ?? 0;
  if (n === 0) return undefined;
  const losses: number[] = [];
  const weights: number[] = [];
  const prefs: PreferenceStats[] = [];
  for (let s = 0; s < n; s += config.batchSize) {
    const idx = Array.from({ length: Math.min(config.batchSize, n - s) }, (_, k) => s + k);
    const micro = microLoss(model, data, idx, config, 'eval', false, padId);
    const out = tf.tidy(() => {
      const { loss, aux, logged } = micro.run();
      return { loss: loss.dataSync()[0], stats: auxStats(aux, logged) };
    });
    losses.push(out.loss);
    weights.push(idx.length);
    if (out.stats) prefs.push(out.stats);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const result: Record<string, number> = { [evalMetric(METRIC.loss)]: losses.reduce((a, l, i) => a + l * weights[i], 0) / total };
  return data.method === 'sft' ? result : { ...result, ...preferenceMetrics(config.method, prefs, EVAL_PREFIX) };
}

/**
 * The optimisation loop shared by SFT and the preference methods: gradient accumulation, global-norm clipping, AdamW with
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
      const prefStats: PreferenceStats[] = [];
      // Checked before any gradient is computed, so a refusal leaves no tensors behind.
      const microBatches = Array.from({ length: config.gradAccum }, () => cursor.next());
      for (const indices of microBatches) assertBatchTrains(data.train, indices, data.sources, config.maxLength, step + 1);
      for (const indices of microBatches) {
        const micro = microGrads(model, data, indices, config, vars, padId, 1 / config.gradAccum);
        stepTokens += micro.numTokens;
        lossSum += micro.loss / config.gradAccum;
        if (micro.prefs) prefStats.push(micro.prefs);
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
        ...(data.method === 'sft' ? {} : preferenceMetrics(config.method, prefStats, '')),
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
