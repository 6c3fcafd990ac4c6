import { z } from 'zod';
import { METHODS } from './preferences/methods';

/** LoRA target modules the engine knows (HF Llama/Qwen2/Mistral module names). */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export const LoraTarget = z.enum(LORA_TARGETS);

export const Backend = z.enum(['auto', 'tensorflow', 'wasm', 'cpu']);
export type Backend = z.infer<typeof Backend>;
/** The backend a process actually runs on (recorded in run.json). */
export const ResolvedBackend = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type ResolvedBackend = z.infer<typeof ResolvedBackend>;

export const LoraConfig = z.strictObject({
  r: z.number().int().min(1).max(1024).default(8).describe('Adapter rank.'),
  alpha: z.number().positive().default(16).describe('LoRA scale numerator: scale = alpha / r (alpha / sqrt(r) with useRslora).'),
  dropout: z.number().min(0).max(0.9).default(0).describe('Dropout on the adapter input during training.'),
  targets: z.array(LoraTarget).min(1).default(['q_proj', 'v_proj']).describe('Module names that get an adapter.'),
  useRslora: z.boolean().default(false).describe('Rank-stabilised LoRA: scale alpha / sqrt(r).'),
});

/**
 * A resolved training run configuration: what `clinical-ft train --config run.json` reads, what the
 * CLI flags build, and what is saved in the run folder so any run can be repeated.
 */
export const RunConfig = z.strictObject({
  method: z.enum(METHODS).describe('sft: supervised fine-tuning on answers; dpo: preference pairs (chosen over rejected) against a reference; kto: answers labelled desirable/undesirable; orpo: pairs, reference-free, one stage from the base; simpo: pairs, reference-free, length-normalised with a margin.'),
  model: z.string().min(1).describe('Base model: a local Hugging Face folder (config.json, safetensors, tokenizer.json). Relative paths resolve against the workspace folder.'),
  data: z.string().min(1).describe('Training JSONL file. Relative paths resolve against the workspace folder.'),
  evalData: z.string().min(1).optional().describe('Held-out JSONL file for eval_loss. Relative paths resolve against the workspace folder.'),
  adapter: z.string().min(1).optional().describe('Starting adapter (PEFT folder): SFT continues it; DPO folds it into the base and trains a new one on top.'),
  steps: z.number().int().positive().optional().describe('Optimizer steps (or give epochs).'),
  epochs: z.number().positive().optional().describe('Passes over the data when steps is not given.'),
  lr: z.number().positive().max(1).default(2e-4).describe('Peak learning rate.'),
  batchSize: z.number().int().positive().default(4).describe('Examples per micro-batch.'),
  gradAccum: z.number().int().positive().default(1).describe('Micro-batches per optimizer step.'),
  maxLength: z.number().int().min(8).default(512).describe('Tokens per example; longer examples are truncated.'),
  lora: LoraConfig.default(LoraConfig.parse({})),
  beta: z.number().positive().default(0.1).describe('DPO/KTO: strength of the KL penalty to the reference model; ORPO: λ, the weight of the odds-ratio term; SimPO: reward scale (TRL beta; SimPO defaults to 2.0).'),
  loss: z.enum(['sigmoid', 'ipo', 'hinge']).default('sigmoid').describe('DPO loss type (TRL loss_type).'),
  /**
   * DPO only: adds rpoAlpha × the chosen answers' token-averaged NLL to the loss (TRL's rpo_alpha; Pang et al. 2024).
   * Keeps DPO from lowering the chosen answers' own likelihood, which breaks answer endings on small models.
   */
  rpoAlpha: z.number().min(0).default(0).describe("DPO: weight of the chosen answers' NLL added to the loss (TRL rpo_alpha; 0 = plain DPO)."),
  /** KTO only (TRL desirable_weight / undesirable_weight): rebalance when one kind of example is much rarer. */
  desirableWeight: z.number().positive().default(1).describe('KTO: weight of the desirable examples\' losses (TRL desirable_weight).'),
  undesirableWeight: z.number().positive().default(1).describe('KTO: weight of the undesirable examples\' losses (TRL undesirable_weight).'),
  /** SimPO only: the target reward margin γ (TRL simpo_gamma); the logits are shifted by γ/β. */
  simpoGamma: z.number().min(0).default(0.5).describe('SimPO: target reward margin gamma (TRL simpo_gamma).'),
  warmupSteps: z.number().int().min(0).default(0).describe('Linear warmup steps from 0.'),
  scheduler: z.enum(['constant', 'linear', 'cosine']).default('linear').describe('Learning-rate schedule after warmup.'),
  weightDecay: z.number().min(0).default(0).describe('AdamW weight decay.'),
  maxGradNorm: z.number().positive().default(1).describe('Gradient clipping norm.'),
  evalEvery: z.number().int().positive().optional().describe('Steps between evaluations on evalData.'),
  saveEvery: z.number().int().positive().optional().describe('Steps between checkpoints (enables exact resume).'),
  seed: z.number().int().min(0).default(42).describe('Same seed, same run.'),
  backend: Backend.default('auto').describe('Built-in engine backend: auto picks the fastest that loads here.'),
  /**
   * Possible PHI in the training or eval data refuses the run (as `clinical-ft validate --phi-errors` would),
   * on start and on resume. The extension sets it from clinicalFt.phiAsErrors, so the CLI and VS Code gate alike.
   */
  phiAsErrors: z.boolean().optional().describe('Possible PHI in the training or eval data refuses the run, on start and on every resume (clinical-ft train --phi-errors).'),
  /** Who trains: the built-in TensorFlow.js engine, or a TRL + PEFT + Accelerate job (see src/core/engineSupport.ts). */
  engine: z.enum(['builtin', 'trl']).default('builtin').describe('Who trains: builtin (TensorFlow.js, this machine) or trl (a TRL + PEFT + Accelerate job: clinical-ft handoff).'),
  /** QLoRA: the frozen base loaded in 4 bits (bitsandbytes NF4). TRL engine on CUDA GPUs only. */
  loadIn4bit: z.boolean().default(false).describe('QLoRA: load the frozen base in 4 bits (bitsandbytes NF4). TRL engine on CUDA GPUs only.'),
  /** Recompute each layer's activations in the backward pass; absent = on only when the memory estimate needs it. */
  gradientCheckpointing: z.boolean().optional().describe("Recompute each layer's activations in the backward pass (less memory, ~30% more time); absent: on only when the memory pre-flight needs it."),
});
export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;
