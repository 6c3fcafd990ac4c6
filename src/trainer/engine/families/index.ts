// The decoder families the engine runs and what each does differently from Llama. One place to add a family:
// its config defaults and its DecoderTraits (parsed from config.json); model.ts reads only the traits.
import type { ConfigReader } from '../hfConfig';
import type { DecoderTraits, ModelConfig } from '../types';
import { qwen3Traits } from './qwen3';
import { gemma3Traits } from './gemma3';

export const ARCHITECTURES = ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM', 'Gemma3ForCausalLM'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export interface FamilyDefaults {
  /** head_dim when config.json omits it (undefined: hidden_size / num_attention_heads). */
  headDim?: number;
  ropeTheta: number;
  /** The layer type whose RoPE is the model's main one when rope_parameters is nested per layer type. */
  ropeLayerType?: string;
  tieWordEmbeddings: boolean;
  activationKey: string;
  activation: string;
}

/** The transformers config classes' defaults for fields real config.json files leave out. */
export function familyDefaults(arch: Architecture): FamilyDefaults {
  switch (arch) {
    case 'Qwen3ForCausalLM':
      return { headDim: 128, ropeTheta: 10000, tieWordEmbeddings: false, activationKey: 'hidden_act', activation: 'silu' };
    case 'Gemma3ForCausalLM':
      return { headDim: 256, ropeTheta: 1_000_000, ropeLayerType: 'full_attention', tieWordEmbeddings: true, activationKey: 'hidden_activation', activation: 'gelu_pytorch_tanh' };
    default:
      return { ropeTheta: 10000, tieWordEmbeddings: false, activationKey: 'hidden_act', activation: 'silu' };
  }
}

/** Traits of the families that differ from Llama; undefined for Llama, Mistral and Qwen2. */
export function familyTraits(arch: Architecture, r: ConfigReader, base: ModelConfig): DecoderTraits | undefined {
  if (arch === 'Qwen3ForCausalLM') return qwen3Traits(r, base);
  if (arch === 'Gemma3ForCausalLM') return gemma3Traits(r, base);
  return undefined;
}

/** The traits the model runs with: the family's, or Llama's conventions. */
export function traitsOf(c: ModelConfig): DecoderTraits {
  if (c.traits) return c.traits;
  const rope = { theta: c.ropeTheta, ...(c.ropeScaling ? { scaling: c.ropeScaling } : {}) };
  return {
    qkNorm: false,
    normPlusOne: false,
    scaleEmbeddings: false,
    sandwichNorms: false,
    activation: 'silu',
    attentionScale: 1 / Math.sqrt(c.headDim),
    layers: Array.from({ length: c.numLayers }, () => ({ rope })),
  };
}

/** Why a near miss is refused, appended to the "supported: ..." message. */
export function refusedArchitectureHint(archs: unknown): string {
  const names = Array.isArray(archs) ? archs.map(String) : [];
  if (names.includes('Gemma3ForConditionalGeneration')) return ' (Gemma 3 4B and larger ship as the multimodal Gemma3ForConditionalGeneration: only the text-only Gemma3ForCausalLM checkpoints, e.g. gemma-3-270m and gemma-3-1b, run here)';
  if (names.some((n) => /^Qwen3Moe/.test(n))) return ' (Qwen3 mixture-of-experts models are not supported; the dense Qwen3ForCausalLM ones are)';
  return '';
}
