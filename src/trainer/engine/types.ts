import type * as tf from '@tensorflow/tfjs';
import type { MemoryEstimate } from '../../core/memory/memoryEstimate';

export interface ModelConfig {
  architecture: 'LlamaForCausalLM' | 'MistralForCausalLM' | 'Qwen2ForCausalLM';
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  ropeTheta: number;
  rmsNormEps: number;
  tieWordEmbeddings: boolean;
  attentionBias: boolean;
  maxPositionEmbeddings: number;
  bosTokenId?: number;
  eosTokenIds: number[];
  /** rope_scaling of config.json when not plain RoPE: 'linear' or Llama 3's frequency-dependent scheme. */
  ropeScaling?: RopeScaling;
}

export type RopeScaling =
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number };

export interface TextTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  bosId?: number;
  eosId: number;
  padId: number;
  vocabSize: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatTemplate {
  render(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
}

export interface LoraSpec {
  r: number;
  alpha: number;
  dropout: number;
  targets: string[];
  useRslora: boolean;
}

export interface LoraController {
  /** New trainable adapter: A ~ kaiming-uniform (as PEFT), B = 0. */
  attach(spec: LoraSpec, seed: number): void;
  /** Load a PEFT adapter folder as the trainable adapter. */
  loadTrainable(dir: string): Promise<LoraSpec>;
  /** Merge a PEFT adapter into the (frozen) base weights. */
  fold(dir: string): Promise<void>;
  /** Trainable adapter on/off (DPO reference = off). */
  setEnabled(enabled: boolean): void;
  readonly enabled: boolean;
  readonly spec?: LoraSpec;
  /** Stable order and stable unique names. */
  trainableVariables(): tf.Variable[];
  getState(): Map<string, Float32Array>;
  setState(state: Map<string, Float32Array>): void;
  /** PEFT format, write-temp-then-rename. */
  save(dir: string, baseModelNameOrPath: string): Promise<void>;
}

export interface CausalLM {
  /** logits [B,T,V] for int32 ids [B,T]; attentionMask [B,T] 1 = real, 0 = right padding. training=true enables LoRA dropout. */
  logits(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor3D;
  /** log p(ids[b,t] | ids[b,<t]) as [B,T]; column 0 is 0. Differentiable w.r.t. LoRA variables; memory-lean. */
  tokenLogprobs(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor2D;
  readonly lora: LoraController;
  /** Per-layer activation recomputation while training (same gradients, less memory, one more forward pass). */
  setGradientCheckpointing(on: boolean): void;
  dispose(): void;
}

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  tokenizer: TextTokenizer;
  chatTemplate?: ChatTemplate;
  generationConfig?: Record<string, unknown>;
  model: CausalLM;
  /** The pre-flight's estimate of the peak for the plan it was loaded with. */
  memoryEstimate?: MemoryEstimate;
}

export interface GenerateOptions {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  stopIds?: number[];
  onToken?: (id: number, text: string) => void;
  signal?: AbortSignal;
}

export interface GenerateResult {
  ids: number[];
  text: string;
  stoppedAt: 'eos' | 'length' | 'aborted';
}
