import type { RunConfig } from '../../core/runConfig';
import { TRAIN_METRIC_NAMES, PREFERENCE_METRIC_NAMES } from '../../core/metrics';
import type { Method } from '../../core/preferences/methods';
import { minExamplesPerProcess } from '../../core/trlLaunchPlan';

export const ACCELERATE_MODES = ['cpu', 'single-gpu', 'multi-gpu', 'deepspeed-zero3', 'fsdp'] as const;
export type AccelerateMode = (typeof ACCELERATE_MODES)[number];

export interface HandoffOptions {
  mode: AccelerateMode;
  numProcesses: number;
}

type Scalar = string | number | boolean | null;
export type YamlValue = Scalar | YamlValue[] | { [k: string]: YamlValue };

/** Our scheduler names as transformers' lr_scheduler_type (ours always warm up linearly first). */
const SCHEDULER: Record<RunConfig['scheduler'], string> = { constant: 'constant_with_warmup', linear: 'linear', cosine: 'cosine' };

/**
 * The TRL trainer and config class that train each method (train.py and test/python/check_job_keys.py read the
 * names from trl_config.yaml). SimPO is TRL's CPOTrainer with loss_type "simpo" and no NLL term (cpo_alpha 0).
 */
export const TRL_CLASSES: Record<Method, { trainer: string; config: string }> = {
  sft: { trainer: 'SFTTrainer', config: 'SFTConfig' },
  dpo: { trainer: 'DPOTrainer', config: 'DPOConfig' },
  kto: { trainer: 'KTOTrainer', config: 'KTOConfig' },
  orpo: { trainer: 'ORPOTrainer', config: 'ORPOConfig' },
  simpo: { trainer: 'CPOTrainer', config: 'CPOConfig' },
};

/** A problem with the run config for this job: names the field, never a stack trace. */
export class HandoffError extends Error {}

/**
 * SFTConfig / DPOConfig keyword arguments with the same meaning as our run-config fields. `batchSize` is the
 * examples per optimizer micro-step over all processes (as on the built-in engine), so each process takes
 * batchSize / numProcesses. Only keys the pinned TRL/transformers define (test/python checks them).
 */
export function trainingArgs(config: RunConfig, opts: HandoffOptions): Record<string, YamlValue> {
  if (config.batchSize % opts.numProcesses !== 0) {
    throw new HandoffError(`batchSize: ${config.batchSize} examples per step cannot be split evenly over ${opts.numProcesses} processes; choose a multiple of ${opts.numProcesses}`);
  }
  const perDevice = config.batchSize / opts.numProcesses;
  const gpu = opts.mode !== 'cpu';
  const common: Record<string, YamlValue> = {
    learning_rate: config.lr,
    lr_scheduler_type: SCHEDULER[config.scheduler],
    warmup_steps: config.warmupSteps,
    per_device_train_batch_size: perDevice,
    per_device_eval_batch_size: perDevice,
    gradient_accumulation_steps: config.gradAccum,
    weight_decay: config.weightDecay,
    max_grad_norm: config.maxGradNorm,
    optim: 'adamw_torch',
    adam_beta1: 0.9,
    adam_beta2: 0.999,
    adam_epsilon: 1e-8,
    seed: config.seed,
    data_seed: config.seed,
    logging_strategy: 'steps',
    logging_steps: 1,
    save_strategy: config.saveEvery !== undefined ? 'steps' : 'no',
    ...(config.saveEvery !== undefined ? { save_steps: config.saveEvery } : {}),
    eval_strategy: config.evalData && config.evalEvery !== undefined ? 'steps' : 'no',
    ...(config.evalData && config.evalEvery !== undefined ? { eval_steps: config.evalEvery } : {}),
    report_to: 'none',
    disable_tqdm: true,
    dataloader_num_workers: 0,
    ddp_find_unused_parameters: false,
    use_cpu: !gpu,
    bf16: gpu,
    gradient_checkpointing: false,
    ...(config.steps !== undefined ? { max_steps: config.steps } : { num_train_epochs: config.epochs ?? 1 }),
  };
  if (config.method === 'sft') {
    return { ...common, max_length: config.maxLength, packing: false, completion_only_loss: true };
  }
  // TRL's preference trainers zero every dropout module by default, LoRA's included; ours keeps lora.dropout.
  // An over-long example gives way at the prompt's start first, as on the built-in engine (README has the rule).
  const preference = { ...common, beta: config.beta, max_length: config.maxLength, truncation_mode: 'keep_end', disable_dropout: false };
  // KTO, ORPO and CPO cut an over-long prompt (its start) to max_prompt_length first, then the answer to
  // max_length − max_prompt_length: half each, the nearest to the built-in engine's rule (answers keep up to half).
  const halves = { max_prompt_length: Math.floor(config.maxLength / 2) };
  switch (config.method) {
    case 'dpo':
      return {
        ...preference,
        loss_type: config.loss,
        ...(config.rpoAlpha > 0 ? { rpo_alpha: config.rpoAlpha } : {}),
        precompute_ref_log_probs: false,
      };
    case 'kto': {
      const least = minExamplesPerProcess('kto');
      if (perDevice < least) {
        throw new HandoffError(`batchSize: KTO estimates its KL term from mismatched pairs within each process's batch, so TRL needs at least ${least} examples per process; ${config.batchSize} over ${opts.numProcesses} process${opts.numProcesses > 1 ? 'es' : ''} gives ${perDevice} (use batchSize ${least * opts.numProcesses} or more)`);
      }
      return {
        ...preference,
        ...halves,
        loss_type: 'kto',
        desirable_weight: config.desirableWeight,
        undesirable_weight: config.undesirableWeight,
        precompute_ref_log_probs: false,
      };
    }
    case 'orpo':
      // beta is ORPO's λ, the weight of the odds-ratio term.
      return { ...preference, ...halves };
    case 'simpo':
      return { ...preference, ...halves, loss_type: 'simpo', cpo_alpha: 0, simpo_gamma: config.simpoGamma, label_smoothing: 0 };
  }
}

/** PEFT LoraConfig keyword arguments (adapter folder contract: PEFT format, task CAUSAL_LM, bias none). */
export function loraArgs(config: RunConfig): Record<string, YamlValue> {
  return {
    r: config.lora.r,
    lora_alpha: config.lora.alpha,
    lora_dropout: config.lora.dropout,
    target_modules: [...config.lora.targets],
    use_rslora: config.lora.useRslora,
    bias: 'none',
    task_type: 'CAUSAL_LM',
  };
}

/** The metric names our dashboard expects from this method (the callback warns if TRL does not log one). */
export function expectedMetricNames(config: RunConfig): string[] {
  return config.method === 'sft' ? [...TRAIN_METRIC_NAMES] : [...TRAIN_METRIC_NAMES, ...PREFERENCE_METRIC_NAMES[config.method]];
}
