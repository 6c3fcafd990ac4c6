// The one owner of a run's default settings, fitted to what is known before training: the model's size and
// context, the dataset's size and its examples' token lengths. `clinical-ft train` without the flags and the
// Start run review both call `fitDefaults`; what each number rests on is in `DEFAULTS_EVIDENCE`.
import { LORA_TARGETS } from '../runConfig';
import { SAMPLE_MODEL_SFT } from './sampleModelBudget';
import { dataKindOf, type Method } from '../preferences/methods';

export interface DefaultsFacts {
  method: Method;
  /** Parameters of the base model (config.json's shape). */
  parameters: number;
  /** config.json's max_position_embeddings; undefined when the config does not say. */
  maxPositions?: number;
  /** Training examples (DPO: pairs). */
  records: number;
  /** Untruncated tokens of each training example as the trainer feeds it (DPO: prompt + the longer answer). */
  lengths: readonly number[];
}

/** The settings the review shows first, and the CLI uses for every flag not given. */
export interface FittedDefaults {
  steps: number;
  lr: number;
  batchSize: number;
  gradAccum: number;
  maxLength: number;
  warmupSteps: number;
  scheduler: 'cosine';
  saveEvery: number;
  lora: { r: number; alpha: number; targets: (typeof LORA_TARGETS)[number][] };
  /** One line per setting saying what it was derived from (shown in the review and `train`'s log). */
  why: string[];
}

/** Examples per optimizer step, whatever fits in one micro-batch. */
const EFFECTIVE_BATCH = SAMPLE_MODEL_SFT.batchSize;
/**
 * Passes over the data of an SFT run: 3 for real models (the usual LoRA SFT budget); a tiny model learns a task's
 * answer form late — the 1 M-parameter sample model names reasoning options under the right letter only after
 * ~16 passes (`npm run demo`: 200 steps = 4 passes give chance accuracy, 800 = 16 give ~0.9).
 */
export function sftEpochs(parameters: number): number {
  return parameters <= TINY_MODEL ? 16 : 3;
}
const TINY_MODEL = 10e6;
/** DPO moves a trained policy a little: ~1 pass (the demo's 50 steps over 300 pairs; more overshot). KTO and SimPO too. */
export const DPO_EPOCHS = 1;
/**
 * ORPO trains from the base model in one stage (SFT and preference at once), so it gets SFT's passes and rate
 * (the demo's ORPO budget is the SFT one); DPO, KTO and SimPO adjust an SFT policy: one pass at DPO's rate.
 */
function isOneStage(method: Method): boolean {
  return method === 'sft' || method === 'orpo';
}
/** The measured anchor: the 1 M-parameter sample model learns every sample task at 5e-3 (`npm run demo`). */
const SMALL_MODEL = { parameters: 1e6, lr: SAMPLE_MODEL_SFT.lr };
/** The usual LoRA anchor for 7 B models (QLoRA, Dettmers et al. 2023: 2e-4 for 7–13 B). */
const LARGE_MODEL = { parameters: 7e9, lr: 2e-4 };
/** DPO lr / SFT lr: the demo's 3e-4 against 5e-3 (1e-3 overshot, README). */
const DPO_LR_RATIO = 0.06;
const MIN_STEPS = 10;
const MAX_STEPS = 5000;
/** When config.json names no context length. */
const FALLBACK_CONTEXT = 2048;

/** LR on the straight line through both anchors in log–log space, clamped to their range. */
export function sftLearningRate(parameters: number): number {
  const slope = Math.log(LARGE_MODEL.lr / SMALL_MODEL.lr) / Math.log(LARGE_MODEL.parameters / SMALL_MODEL.parameters);
  const lr = SMALL_MODEL.lr * Math.pow(Math.max(parameters, 1) / SMALL_MODEL.parameters, slope);
  return roundSig(Math.min(SMALL_MODEL.lr, Math.max(LARGE_MODEL.lr / 2, lr)));
}

/** The q-th quantile (0..1) by the nearest-rank rule; 0 for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Micro-batch by model size: the wasm heap holds 8 × 384 tokens of a small model, 2 of SmolLM2-135M (engine-facts). */
function microBatch(parameters: number): number {
  if (parameters <= 50e6) return 8;
  if (parameters <= 400e6) return 2;
  return 1;
}

export function fitDefaults(f: DefaultsFacts): FittedDefaults {
  const context = f.maxPositions ?? FALLBACK_CONTEXT;
  const p95 = quantile(f.lengths, 0.95);
  // Covers the 95th percentile, rounded up to a multiple of 32 tokens, within the model's context.
  const maxLength = Math.min(context, Math.max(64, Math.ceil(p95 / 32) * 32));
  const batchSize = Math.min(EFFECTIVE_BATCH, microBatch(f.parameters));
  const gradAccum = Math.max(1, Math.round(EFFECTIVE_BATCH / batchSize));
  const epochs = isOneStage(f.method) ? sftEpochs(f.parameters) : DPO_EPOCHS;
  const perEpoch = Math.max(1, Math.ceil(f.records / (batchSize * gradAccum)));
  const steps = Math.min(MAX_STEPS, Math.max(MIN_STEPS, epochs * perEpoch));
  const sftLr = sftLearningRate(f.parameters);
  const lr = isOneStage(f.method) ? sftLr : roundSig(sftLr * DPO_LR_RATIO);
  const size = f.parameters >= 1e9 ? `${(f.parameters / 1e9).toFixed(1)} B` : `${(f.parameters / 1e6).toFixed(1)} M`;
  return {
    steps,
    lr,
    batchSize,
    gradAccum,
    maxLength,
    warmupSteps: 0,
    scheduler: 'cosine',
    saveEvery: Math.max(10, Math.ceil(steps / 4)),
    lora: { r: SAMPLE_MODEL_SFT.lora.r, alpha: SAMPLE_MODEL_SFT.lora.alpha, targets: [...SAMPLE_MODEL_SFT.lora.targets] },
    why: [
      `steps ${steps}: ${epochs} pass${epochs === 1 ? '' : 'es'} over ${f.records} ${dataKindOf(f.method) === 'dpo' ? 'pairs' : 'examples'} at ${batchSize * gradAccum} per step${steps === MAX_STEPS ? ` (capped at ${MAX_STEPS})` : ''}`,
      `lr ${lr}: ${isOneStage(f.method) ? '' : `${DPO_LR_RATIO} × the SFT rate ${sftLr} `}for a ${size}-parameter model`,
      `max length ${maxLength}: covers the 95th percentile (${p95} tokens)${maxLength === context && p95 > context ? `, capped at the model's context ${context}` : ''}`,
      `batch ${batchSize}${gradAccum > 1 ? ` × ${gradAccum} accumulated` : ''}: what a ${size}-parameter model fits per micro-batch`,
    ],
  };
}

function roundSig(x: number): number {
  return Number(x.toPrecision(2));
}
