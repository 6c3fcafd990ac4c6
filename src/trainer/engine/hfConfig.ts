import * as path from 'node:path';
import type { ModelConfig, RopeScaling } from './types';
import { readJsonObject } from './jsonFile';

const ARCHITECTURES = ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM'] as const;

/**
 * Upper bounds for config.json sizes, a few times the largest released models' (Llama 3.1 405B: 126 layers,
 * hidden 16384, intermediate 53248; Gemma 3: vocab 262144; Llama 4: 10M positions). Arrays sized by these
 * are allocated before any weight is read, so an absurd value must be refused here, not by a V8 crash.
 */
export const SIZE_LIMITS = {
  vocab_size: 2 ** 22,
  hidden_size: 2 ** 16,
  num_hidden_layers: 1024,
  num_attention_heads: 1024,
  num_key_value_heads: 1024,
  head_dim: 4096,
  intermediate_size: 2 ** 19,
  max_position_embeddings: 2 ** 25,
} as const;

/** Maps a Hugging Face config.json onto ModelConfig; every missing or invalid field is named. */
export function parseHfConfig(raw: Record<string, unknown>, file: string): ModelConfig {
  const archs = raw.architectures;
  const arch = Array.isArray(archs) ? archs.find((a): a is ModelConfig['architecture'] => (ARCHITECTURES as readonly string[]).includes(a as string)) : undefined;
  if (!arch) {
    throw new Error(`${file}: key "architectures" is ${JSON.stringify(archs)}; supported: ${ARCHITECTURES.join(', ')}`);
  }
  const int = (key: keyof typeof SIZE_LIMITS, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${file}: key "${key}" must be a positive integer (got ${JSON.stringify(raw[key])})`);
    if (v > SIZE_LIMITS[key]) throw new Error(`${file}: key "${key}" is ${v}, above ${SIZE_LIMITS[key]}, more than any supported model has: the file is corrupt or not a model's config`);
    return v;
  };
  const num = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${file}: key "${key}" must be a positive number (got ${JSON.stringify(raw[key])})`);
    return v;
  };
  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) throw new Error(`${file}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  const headDim = raw.head_dim == null ? hiddenSize / numHeads : int('head_dim');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new Error(`${file}: head dimension ${headDim} must be an even integer`);
  const ropeScaling = parseRopeScaling(raw.rope_scaling, file);
  if (raw.hidden_act !== undefined && raw.hidden_act !== 'silu') throw new Error(`${file}: key "hidden_act" is ${JSON.stringify(raw.hidden_act)}; only "silu" is supported`);
  if (raw.mlp_bias === true) throw new Error(`${file}: key "mlp_bias" true is not supported`);
  const eos = raw.eos_token_id;
  const eosTokenIds = Array.isArray(eos) ? eos.filter((x): x is number => typeof x === 'number') : typeof eos === 'number' ? [eos] : [];
  const bos = typeof raw.bos_token_id === 'number' ? raw.bos_token_id : undefined;
  return {
    architecture: arch,
    vocabSize: int('vocab_size'),
    hiddenSize,
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: int('intermediate_size'),
    ropeTheta: num('rope_theta', 10000),
    rmsNormEps: num('rms_norm_eps', 1e-6),
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    // Qwen2 always has q/k/v biases; Llama exposes them through attention_bias.
    attentionBias: arch === 'Qwen2ForCausalLM' ? true : raw.attention_bias === true,
    maxPositionEmbeddings: int('max_position_embeddings', 4096),
    ...(bos !== undefined ? { bosTokenId: bos } : {}),
    eosTokenIds,
    ...(ropeScaling ? { ropeScaling } : {}),
  };
}

function parseRopeScaling(rs: unknown, file: string): RopeScaling | undefined {
  if (rs === undefined || rs === null) return undefined;
  const bad = (why: string): never => {
    throw new Error(`${file}: key "rope_scaling" (${JSON.stringify(rs)}) ${why}`);
  };
  if (typeof rs !== 'object' || Array.isArray(rs)) return bad('must be an object');
  const r = rs as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  if (type === 'default') return undefined;
  const pos = (key: string): number => {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return bad(`needs a positive number "${key}"`);
    return v;
  };
  if (type === 'linear') return { type: 'linear', factor: pos('factor') };
  if (type === 'llama3') {
    const s: RopeScaling = { type: 'llama3', factor: pos('factor'), lowFreqFactor: pos('low_freq_factor'), highFreqFactor: pos('high_freq_factor'), originalMaxPositionEmbeddings: pos('original_max_position_embeddings') };
    if (s.highFreqFactor <= s.lowFreqFactor) bad('needs high_freq_factor > low_freq_factor');
    return s;
  }
  return bad('is not supported (supported: default, linear, llama3)');
}

export function readHfConfig(dir: string): ModelConfig {
  const file = path.join(dir, 'config.json');
  return parseHfConfig(readJsonObject(file), file);
}
