import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { RunConfig, type RunConfigInput } from '../../core/runConfig';
import { UsageError } from '../cli/args';
import { isMethod, METHOD_BETA } from '../../core/preferences/methods';

/** `clinical-ft train` flags (DESIGN.md contract) and a few additions (weight decay, clipping, dropout). */
export const TRAIN_FLAGS = {
  config: 'string',
  out: 'string',
  method: 'string',
  model: 'string',
  data: 'string',
  'eval-data': 'string',
  adapter: 'string',
  steps: 'string',
  epochs: 'string',
  lr: 'string',
  'batch-size': 'string',
  'grad-accum': 'string',
  'max-length': 'string',
  'lora-r': 'string',
  'lora-alpha': 'string',
  'lora-dropout': 'string',
  'lora-targets': 'string',
  'use-rslora': 'boolean',
  'gradient-checkpointing': 'boolean',
  beta: 'string',
  loss: 'string',
  'rpo-alpha': 'string',
  'desirable-weight': 'string',
  'undesirable-weight': 'string',
  'simpo-gamma': 'string',
  'warmup-steps': 'string',
  scheduler: 'string',
  'weight-decay': 'string',
  'max-grad-norm': 'string',
  'eval-every': 'string',
  'save-every': 'string',
  seed: 'string',
  backend: 'string',
  resume: 'boolean',
  'phi-errors': 'boolean',
} as const;

function num(flag: string, v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number (got "${String(v)}")`);
  return n;
}

/**
 * Builds the run configuration: --config (a config object, or a previous run's run.json) first, flags
 * on top, then validated as a whole so every problem names its field.
 */
export function configFromFlags(flags: Record<string, string | boolean>, fitted: Partial<RunConfigInput> = {}): RunConfig {
  let base: Record<string, unknown> = {};
  if (typeof flags.config === 'string') {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(flags.config, 'utf8'));
    } catch (e) {
      throw new UsageError(`${flags.config}: ${(e as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${flags.config}: expected a JSON object`);
    const obj = raw as Record<string, unknown>;
    base = typeof obj.config === 'object' && obj.config !== null && 'status' in obj ? (obj.config as Record<string, unknown>) : obj;
  }
  // Fitted defaults (src/core/runs/fittedDefaults.ts) sit under --config and the flags: whatever is given wins.
  const fittedBase: Record<string, unknown> = { ...fitted };
  // Steps and epochs are one choice: either given replaces the fitted steps.
  if (base.epochs !== undefined || flags.epochs !== undefined) delete fittedBase.steps;
  const lora: Record<string, unknown> = { ...((fitted.lora as Record<string, unknown> | undefined) ?? {}), ...((base.lora as Record<string, unknown> | undefined) ?? {}) };
  const set = (o: Record<string, unknown>, k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  const f = flags;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
  const input: Record<string, unknown> = { ...fittedBase, ...base };
  set(input, 'method', str('method'));
  set(input, 'model', str('model'));
  set(input, 'data', str('data'));
  set(input, 'evalData', str('eval-data'));
  set(input, 'adapter', str('adapter'));
  set(input, 'steps', num('steps', f.steps));
  set(input, 'epochs', num('epochs', f.epochs));
  set(input, 'lr', num('lr', f.lr));
  set(input, 'batchSize', num('batch-size', f['batch-size']));
  set(input, 'gradAccum', num('grad-accum', f['grad-accum']));
  set(input, 'maxLength', num('max-length', f['max-length']));
  set(input, 'beta', num('beta', f.beta));
  set(input, 'loss', str('loss'));
  set(input, 'rpoAlpha', num('rpo-alpha', f['rpo-alpha']));
  set(input, 'desirableWeight', num('desirable-weight', f['desirable-weight']));
  set(input, 'undesirableWeight', num('undesirable-weight', f['undesirable-weight']));
  set(input, 'simpoGamma', num('simpo-gamma', f['simpo-gamma']));
  // A method's own beta default (SimPO's 2.0) applies when neither the flags nor the config file set one.
  if (input.beta === undefined && isMethod(input.method)) input.beta = METHOD_BETA[input.method];
  set(input, 'warmupSteps', num('warmup-steps', f['warmup-steps']));
  set(input, 'scheduler', str('scheduler'));
  set(input, 'weightDecay', num('weight-decay', f['weight-decay']));
  set(input, 'maxGradNorm', num('max-grad-norm', f['max-grad-norm']));
  set(input, 'evalEvery', num('eval-every', f['eval-every']));
  set(input, 'saveEvery', num('save-every', f['save-every']));
  set(input, 'seed', num('seed', f.seed));
  set(input, 'backend', str('backend'));
  set(lora, 'r', num('lora-r', f['lora-r']));
  set(lora, 'alpha', num('lora-alpha', f['lora-alpha']));
  set(lora, 'dropout', num('lora-dropout', f['lora-dropout']));
  set(lora, 'targets', str('lora-targets')?.split(',').map((s) => s.trim()).filter(Boolean));
  if (f['use-rslora'] === true) lora.useRslora = true;
  if (f['phi-errors'] === true) input.phiAsErrors = true;
  if (f['gradient-checkpointing'] === true) input.gradientCheckpointing = true;
  if (Object.keys(lora).length > 0) input.lora = lora;
  if (input.steps !== undefined && input.epochs !== undefined) throw new UsageError('give either --steps or --epochs, not both');
  const parsed = RunConfig.safeParse(input as RunConfigInput);
  if (!parsed.success) throw new UsageError(`invalid training configuration:\n${formatIssues(parsed.error)}`);
  // run.json records resolved paths so a run can be resumed or repeated from any directory.
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(p));
  const c = parsed.data;
  return { ...c, model: path.resolve(c.model), data: path.resolve(c.data), ...(c.evalData ? { evalData: abs(c.evalData) } : {}), ...(c.adapter ? { adapter: abs(c.adapter) } : {}) };
}

const FLAG_OF: Record<string, string> = {
  evalData: 'eval-data', batchSize: 'batch-size', gradAccum: 'grad-accum', maxLength: 'max-length', warmupSteps: 'warmup-steps',
  weightDecay: 'weight-decay', desirableWeight: 'desirable-weight', undesirableWeight: 'undesirable-weight', simpoGamma: 'simpo-gamma', rpoAlpha: 'rpo-alpha', maxGradNorm: 'max-grad-norm', evalEvery: 'eval-every', saveEvery: 'save-every', phiAsErrors: 'phi-errors',
  'lora.r': 'lora-r', 'lora.alpha': 'lora-alpha', 'lora.dropout': 'lora-dropout', 'lora.targets': 'lora-targets',
};

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const key = i.path.filter((p) => typeof p !== 'number').join('.');
      const flag = FLAG_OF[key] ?? key;
      return `  --${flag}: ${i.message}`;
    })
    .join('\n');
}
