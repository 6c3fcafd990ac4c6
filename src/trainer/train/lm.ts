import type * as tf from '@tensorflow/tfjs';
import type { LoraController, LoraSpec, TextTokenizer } from '../engine/types';

/**
 * The part of the engine (src/trainer/engine, see its index.ts) that training relies on, narrowed from the
 * engine's own types (declared once in engine/types.ts) so the loops are testable with a tiny stand-in model
 * and stay decoupled from loading.
 */
export type LoraSpecLike = LoraSpec;

export type LoraControllerLike = Omit<LoraController, 'spec'>;

export interface TrainableLM {
  tokenLogprobs(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor2D;
  readonly lora: LoraControllerLike;
  /** Per-layer activation recomputation (the engine's models; test doubles may lack it). */
  setGradientCheckpointing?(on: boolean, layers?: number): void;
}

export type TokenizerLike = Omit<TextTokenizer, 'vocabSize'>;
