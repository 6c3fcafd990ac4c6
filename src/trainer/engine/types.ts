import type * as tf from '@tensorflow/tfjs';
import type { ChatTemplateLike as ChatTemplate } from '../../core/prompt/recordSegments';
import type { MemoryEstimate, ModelShape } from '../../core/memory/memoryEstimate';

/** config.json as the engine reads it: the sizes the memory estimate shares (ModelShape) and the rest. */
export interface ModelConfig extends ModelShape {
  architecture: 'LlamaForCausalLM' | 'MistralForCausalLM' | 'Qwen2ForCausalLM' | 'Qwen3ForCausalLM' | 'Gemma3ForCausalLM';
  ropeTheta: number;
  rmsNormEps: number;
  maxPositionEmbeddings: number;
  bosTokenId?: number;
  eosTokenIds: number[];
  /** rope_scaling of config.json when not plain RoPE: 'linear' or Llama 3's frequency-dependent scheme. */
  ropeScaling?: RopeScaling;
  /** What the family does differently from Llama (Qwen3, Gemma 3: engine/families/); absent = Llama's conventions. */
  traits?: DecoderTraits;
}

export interface DecoderTraits {
  /** RMSNorm over each head's q and k (weights self_attn.q_norm / k_norm, [headDim]) before RoPE. */
  qkNorm: boolean;
  /** Gemma: every RMSNorm scales by (1 + w); the stored weights are offsets from 1. */
  normPlusOne: boolean;
  /** Gemma: embeddings × √hidden, the factor and the product in the embedding's stored dtype. */
  scaleEmbeddings: boolean;
  /** Gemma: post_attention_layernorm normalises the attention output; pre_/post_feedforward_layernorm wrap the MLP. */
  sandwichNorms: boolean;
  /** Gated MLP activation: silu(gate) (SwiGLU) or tanh-approximated gelu(gate) (GeGLU). */
  activation: 'silu' | 'gelu_tanh';
  /** Multiplier of q·k: 1/√headDim, or query_pre_attn_scalar^-½ (Gemma). */
  attentionScale: number;
  /** One entry per decoder layer. */
  layers: LayerAttention[];
  /** cap · tanh(logits / cap) on the final logits (Gemma's final_logit_softcapping). */
  finalLogitSoftcap?: number;
}

/** Per layer: its RoPE (layers sharing one object share cos/sin) and, for sliding-window layers, the window. */
export interface LayerAttention {
  rope: RopeSpec;
  /** Key position s is visible from query position p when p - window < s <= p. */
  slidingWindow?: number;
}

export interface RopeSpec {
  theta: number;
  scaling?: RopeScaling;
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

export type { ChatMessage } from '../../core/datasets/records';
export type { ChatTemplateLike as ChatTemplate } from '../../core/prompt/recordSegments';

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
  /** PEFT format, write-temp-then-rename; stacked on every folded adapter, so it applies to the base alone. */
  save(dir: string, baseModelNameOrPath: string): Promise<void>;
}

export interface CausalLM {
  /** logits [B,T,V] for int32 ids [B,T]; attentionMask [B,T] 1 = real, 0 = right padding. training=true enables LoRA dropout. */
  logits(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor3D;
  /** log p(ids[b,t] | ids[b,<t]) as [B,T]; column 0 is 0. Differentiable w.r.t. LoRA variables; memory-lean. */
  tokenLogprobs(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor2D;
  readonly lora: LoraController;
  /** Per-layer activation recomputation while training (same gradients, less memory, one more forward pass); layers: the first that many (default all). */
  setGradientCheckpointing(on: boolean, layers?: number): void;
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
