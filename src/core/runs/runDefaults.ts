import { METHOD_BETA, type Method } from '../preferences/methods';
import { z } from 'zod';
import { RunConfig, type RunConfigInput } from '../runConfig';
import { RunRecord } from '../runFolder';
import type { FittedDefaults } from './fittedDefaults';

/**
 * The review's starting config: the settings fitted to the model and data (fittedDefaults.ts, the one owner of
 * default numbers, which `clinical-ft train` uses too), plus the run's paths.
 */
export function defaultRunConfig(method: Method, paths: { model: string; data: string; evalData?: string; adapter?: string }, fitted: FittedDefaults): RunConfig {
  const input: RunConfigInput = {
    method,
    model: paths.model,
    data: paths.data,
    ...(paths.evalData ? { evalData: paths.evalData, evalEvery: fitted.saveEvery } : {}),
    ...(paths.adapter ? { adapter: paths.adapter } : {}),
    ...fittedConfig(fitted),
    beta: METHOD_BETA[method],
  };
  return RunConfig.parse(input);
}

/** The RunConfig fields a FittedDefaults sets (also what `clinical-ft train` fills in for flags not given). */
export function fittedConfig(f: FittedDefaults): Pick<RunConfigInput, 'steps' | 'lr' | 'batchSize' | 'gradAccum' | 'maxLength' | 'warmupSteps' | 'scheduler' | 'saveEvery' | 'lora'> {
  return { steps: f.steps, lr: f.lr, batchSize: f.batchSize, gradAccum: f.gradAccum, maxLength: f.maxLength, warmupSteps: f.warmupSteps, scheduler: f.scheduler, saveEvery: f.saveEvery, lora: { ...f.lora, targets: [...f.lora.targets] } };
}

/** The knobs shown for review, in the order a person thinks about them. */
export interface ReviewField {
  key: string;
  label: string;
  value: string;
  hint: string;
}

export function reviewFields(c: RunConfig): ReviewField[] {
  const f: ReviewField[] = [
    { key: 'steps', label: 'Steps', value: c.steps !== undefined ? String(c.steps) : '', hint: 'optimizer steps (leave empty to use epochs)' },
    { key: 'epochs', label: 'Epochs', value: c.epochs !== undefined ? String(c.epochs) : '', hint: 'passes over the data when steps is empty' },
    { key: 'lr', label: 'Learning rate', value: String(c.lr), hint: 'peak learning rate' },
    { key: 'batchSize', label: 'Batch size', value: String(c.batchSize), hint: 'examples per step' },
    { key: 'gradAccum', label: 'Gradient accumulation', value: String(c.gradAccum), hint: 'micro-batches per optimizer step' },
    { key: 'maxLength', label: 'Max length', value: String(c.maxLength), hint: 'tokens per example; longer ones are truncated' },
    { key: 'lora.r', label: 'LoRA r', value: String(c.lora.r), hint: 'adapter rank' },
    { key: 'lora.alpha', label: 'LoRA alpha', value: String(c.lora.alpha), hint: 'scale = alpha / r' },
    { key: 'lora.targets', label: 'LoRA targets', value: c.lora.targets.join(','), hint: 'comma-separated module names' },
    { key: 'warmupSteps', label: 'Warmup steps', value: String(c.warmupSteps), hint: 'linear warmup from 0' },
    { key: 'scheduler', label: 'Scheduler', value: c.scheduler, hint: 'constant | linear | cosine' },
    { key: 'saveEvery', label: 'Checkpoint every', value: c.saveEvery !== undefined ? String(c.saveEvery) : '', hint: 'steps between checkpoints (enables resume)' },
    { key: 'seed', label: 'Seed', value: String(c.seed), hint: 'same seed, same run' },
  ];
  f.splice(7, 0, ...methodReviewFields(c));
  if (c.method === 'dpo') {
    f.splice(7, 0, { key: 'beta', label: 'DPO beta', value: String(c.beta), hint: 'strength of the KL penalty to the reference' });
    f.splice(8, 0, { key: 'loss', label: 'DPO loss', value: c.loss, hint: 'sigmoid | ipo | hinge' });
    f.splice(9, 0, { key: 'rpoAlpha', label: 'RPO alpha', value: String(c.rpoAlpha), hint: "weight of the chosen answers' NLL added to DPO (0 = plain DPO)" });
  }
  return f;
}

/**
 * Applies one edited review field; returns the new config or a message naming the field. Empty clears
 * optional numbers (steps, epochs, saveEvery).
 */
export function applyReviewEdit(c: RunConfig, key: string, text: string): { ok: true; config: RunConfig } | { ok: false; message: string } {
  const raw = JSON.parse(JSON.stringify(c)) as Record<string, unknown> & { lora: Record<string, unknown> };
  const t = text.trim();
  const value: unknown =
    key === 'lora.targets' ? t.split(/[\s,]+/).filter(Boolean) : key === 'scheduler' || key === 'loss' ? t : t === '' ? undefined : Number(t);
  if (typeof value === 'number' && !Number.isFinite(value)) return { ok: false, message: `${key}: "${text}" is not a number` };
  if (key.startsWith('lora.')) raw.lora[key.slice(5)] = value;
  else if (value === undefined) delete raw[key];
  else raw[key] = value;
  if (key === 'steps' && value !== undefined) delete raw.epochs;
  if (key === 'epochs' && value !== undefined) delete raw.steps;
  return parseRunConfig(raw);
}

export function parseRunConfig(raw: unknown): { ok: true; config: RunConfig } | { ok: false; message: string } {
  const r = RunConfig.safeParse(raw);
  if (r.success) {
    if (r.data.steps === undefined && r.data.epochs === undefined) return { ok: false, message: 'steps or epochs: one of them is required' };
    return { ok: true, config: r.data };
  }
  return { ok: false, message: r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ') };
}

/**
 * A `*.run.json` file: either a bare run config or a run folder's run.json (its `config` is reused), so
 * any finished run can be started again from its folder.
 */
export function parseRunConfigFile(text: string): { ok: true; config: RunConfig } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const asRecord = RunRecord.safeParse(raw);
  if (asRecord.success) return parseRunConfig(asRecord.data.config);
  if (raw && typeof raw === 'object' && 'config' in raw && z.object({ config: z.unknown() }).safeParse(raw).success) {
    return parseRunConfig((raw as { config: unknown }).config);
  }
  return parseRunConfig(raw);
}

/** Sortable, unique enough within one workspace, readable in a file browser: 20261122-081500-sft. */
export function newRunId(method: Method, now: Date, taken: (id: string) => boolean): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}-${method}`;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

/** The review rows of KTO, ORPO and SimPO (TRL's knobs); DPO's are listed in reviewFields. */
function methodReviewFields(c: RunConfig): ReviewField[] {
  if (c.method === 'kto') {
    return [
      { key: 'beta', label: 'KTO beta', value: String(c.beta), hint: 'strength of the KL penalty to the reference' },
      { key: 'desirableWeight', label: 'Desirable weight', value: String(c.desirableWeight), hint: 'weight of the desirable examples (raise when they are rarer)' },
      { key: 'undesirableWeight', label: 'Undesirable weight', value: String(c.undesirableWeight), hint: 'weight of the undesirable examples' },
    ];
  }
  if (c.method === 'orpo') return [{ key: 'beta', label: 'ORPO lambda', value: String(c.beta), hint: 'weight of the odds-ratio term next to the NLL (TRL beta)' }];
  if (c.method === 'simpo') {
    return [
      { key: 'beta', label: 'SimPO beta', value: String(c.beta), hint: 'reward scale (SimPO paper: 2.0)' },
      { key: 'simpoGamma', label: 'SimPO gamma', value: String(c.simpoGamma), hint: 'target reward margin' },
    ];
  }
  return [];
}
