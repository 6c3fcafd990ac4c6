import { z } from 'zod';

/** LoRA target modules the engine knows (HF Llama/Qwen2/Mistral module names). */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export const LoraTarget = z.enum(LORA_TARGETS);

export const Backend = z.enum(['auto', 'tensorflow', 'wasm', 'cpu']);
export type Backend = z.infer<typeof Backend>;
/** The backend a process actually runs on (recorded in run.json). */
export const ResolvedBackend = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type ResolvedBackend = z.infer<typeof ResolvedBackend>;

export const LoraConfig = z.strictObject({
  r: z.number().int().min(1).max(1024).default(8),
  alpha: z.number().positive().default(16),
  dropout: z.number().min(0).max(0.9).default(0),
  targets: z.array(LoraTarget).min(1).default(['q_proj', 'v_proj']),
  useRslora: z.boolean().default(false),
});

/**
 * A resolved training run configuration: what `clinical-ft train --config run.json` reads, what the
 * CLI flags build, and what is saved in the run folder so any run can be repeated.
 */
export const RunConfig = z.strictObject({
  method: z.enum(['sft', 'dpo']),
  model: z.string().min(1),
  data: z.string().min(1),
  evalData: z.string().min(1).optional(),
  adapter: z.string().min(1).optional(),
  steps: z.number().int().positive().optional(),
  epochs: z.number().positive().optional(),
  lr: z.number().positive().max(1).default(2e-4),
  batchSize: z.number().int().positive().default(4),
  gradAccum: z.number().int().positive().default(1),
  maxLength: z.number().int().min(8).default(512),
  lora: LoraConfig.default(LoraConfig.parse({})),
  beta: z.number().positive().default(0.1),
  loss: z.enum(['sigmoid', 'ipo', 'hinge']).default('sigmoid'),
  /**
   * DPO only: adds rpoAlpha × the chosen answers' token-averaged NLL to the loss (TRL's rpo_alpha; Pang et al. 2024).
   * Keeps DPO from lowering the chosen answers' own likelihood, which breaks answer endings on small models.
   */
  rpoAlpha: z.number().min(0).default(0),
  warmupSteps: z.number().int().min(0).default(0),
  scheduler: z.enum(['constant', 'linear', 'cosine']).default('linear'),
  weightDecay: z.number().min(0).default(0),
  maxGradNorm: z.number().positive().default(1),
  evalEvery: z.number().int().positive().optional(),
  saveEvery: z.number().int().positive().optional(),
  seed: z.number().int().min(0).default(42),
  backend: Backend.default('auto'),
  /** Recompute each layer's activations in the backward pass; absent = on only when the memory estimate needs it. */
  gradientCheckpointing: z.boolean().optional(),
});
export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;
