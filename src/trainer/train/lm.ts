import type * as tf from '@tensorflow/tfjs';

/**
 * The part of the engine (src/trainer/engine, see its index.ts) that training relies on, stated
 * structurally so the loops are testable with a tiny stand-in model and stay decoupled from loading.
 */
export interface LoraSpecLike {
  r: number;
  alpha: number;
  dropout: number;
  targets: string[];
  useRslora: boolean;
}

export interface LoraControllerLike {
  attach(spec: LoraSpecLike, seed: number): void;
  loadTrainable(dir: string): Promise<LoraSpecLike>;
  fold(dir: string): Promise<void>;
  setEnabled(enabled: boolean): void;
  readonly enabled: boolean;
  trainableVariables(): tf.Variable[];
  getState(): Map<string, Float32Array>;
  setState(state: Map<string, Float32Array>): void;
  save(dir: string, baseModelNameOrPath: string): Promise<void>;
}

export interface TrainableLM {
  tokenLogprobs(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor2D;
  readonly lora: LoraControllerLike;
  /** Per-layer activation recomputation (the engine's models; test doubles may lack it). */
  setGradientCheckpointing?(on: boolean): void;
}

export interface TokenizerLike {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  bosId?: number;
  eosId: number;
  padId: number;
}

export interface ChatMessageLike {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatTemplateLike {
  render(messages: ChatMessageLike[], opts?: { addGenerationPrompt?: boolean }): string;
}
