import * as path from 'node:path';
import type { ModelConfig, RopeScaling, RopeSpec } from './types';
import { readJsonObject } from './jsonFile';
import { ARCHITECTURES, familyDefaults, familyTraits, refusedArchitectureHint, type Architecture } from './families';

/** Reads typed config.json values; every missing or invalid field is named with the file. */
export interface ConfigReader {
  readonly raw: Record<string, unknown>;
  readonly file: string;
  int(key: string, fallback?: number): number;
  num(key: string, fallback: number): number;
  fail(message: string): never;
}

/**
 * Upper bounds for config.json sizes, a few times the largest released models' (Llama 3.1 405B: 126 layers,
 * hidden 16384, intermediate 53248; Gemma 3: vocab 262144; Llama 4: 10M positions). Arrays sized by these
 * are allocated before any weight is read, so an absurd value must be refused here, not by a V8 crash.
 */
export const SIZE_LIMITS: Record<string, number> = {
  vocab_size: 2 ** 22,
  hidden_size: 2 ** 16,
  num_hidden_layers: 1024,
  num_attention_heads: 1024,
  num_key_value_heads: 1024,
  head_dim: 4096,
  intermediate_size: 2 ** 19,
  max_position_embeddings: 2 ** 25,
  sliding_window: 2 ** 25,
};

function configReader(raw: Record<string, unknown>, file: string): ConfigReader {
  return {
    raw,
    file,
    int(key, fallback) {
      const v = raw[key] ?? fallback;
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${file}: key "${key}" must be a positive integer (got ${JSON.stringify(raw[key])})`);
      const limit = SIZE_LIMITS[key];
      if (limit !== undefined && v > limit) throw new Error(`${file}: key "${key}" is ${v}, above ${limit}, more than any supported model has: the file is corrupt or not a model's config`);
      return v;
    },
    num(key, fallback) {
      const v = raw[key] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${file}: key "${key}" must be a positive number (got ${JSON.stringify(raw[key])})`);
      return v;
    },
    fail(message) {
      throw new Error(`${file}: ${message}`);
    },
  };
}

/** Maps a Hugging Face config.json onto ModelConfig; every missing or invalid field is named. */
export function parseHfConfig(raw: Record<string, unknown>, file: string): ModelConfig {
  const archs = raw.architectures;
  const arch = Array.isArray(archs) ? archs.find((a): a is Architecture => (ARCHITECTURES as readonly string[]).includes(a as string)) : undefined;
  if (!arch) {
    throw new Error(`${file}: key "architectures" is ${JSON.stringify(archs)}; supported: ${ARCHITECTURES.join(', ')}${refusedArchitectureHint(archs)}`);
  }
  const r = configReader(raw, file);
  const defaults = familyDefaults(arch);
  const hiddenSize = r.int('hidden_size');
  const numHeads = r.int('num_attention_heads');
  const numKvHeads = r.int('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) throw new Error(`${file}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  // Qwen3 and Gemma 3 default head_dim to a constant (128, 256), not hidden/heads, as their transformers configs do.
  const headDim = raw.head_dim == null ? (defaults.headDim ?? hiddenSize / numHeads) : r.int('head_dim');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new Error(`${file}: head dimension ${headDim} must be an even integer`);
  const rope = readRope(r, defaults.ropeTheta, defaults.ropeLayerType);
  const act = raw[defaults.activationKey];
  if (act !== undefined && act !== defaults.activation) throw new Error(`${file}: key "${defaults.activationKey}" is ${JSON.stringify(act)}; only "${defaults.activation}" is supported for ${arch}`);
  if (raw.mlp_bias === true) throw new Error(`${file}: key "mlp_bias" true is not supported`);
  const eos = raw.eos_token_id;
  const eosTokenIds = Array.isArray(eos) ? eos.filter((x): x is number => typeof x === 'number') : typeof eos === 'number' ? [eos] : [];
  const bos = typeof raw.bos_token_id === 'number' ? raw.bos_token_id : undefined;
  const base: ModelConfig = {
    architecture: arch,
    vocabSize: r.int('vocab_size'),
    hiddenSize,
    numLayers: r.int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: r.int('intermediate_size'),
    ropeTheta: rope.theta,
    rmsNormEps: r.num('rms_norm_eps', 1e-6),
    // Gemma 3's configs omit tie_word_embeddings: its transformers default is true.
    tieWordEmbeddings: typeof raw.tie_word_embeddings === 'boolean' ? raw.tie_word_embeddings : defaults.tieWordEmbeddings,
    // Qwen2 always has q/k/v biases; Llama exposes them through attention_bias.
    attentionBias: arch === 'Qwen2ForCausalLM' ? true : raw.attention_bias === true,
    maxPositionEmbeddings: r.int('max_position_embeddings', 4096),
    ...(bos !== undefined ? { bosTokenId: bos } : {}),
    eosTokenIds,
    ...(rope.scaling ? { ropeScaling: rope.scaling } : {}),
  };
  const traits = familyTraits(arch, r, base);
  return traits ? { ...base, traits } : base;
}

/**
 * The RoPE of config.json: transformers 5 writes `rope_parameters` ({rope_theta, rope_type, ...}, or one such
 * object per layer type), older files `rope_theta` + `rope_scaling`. `layerType` picks a nested entry.
 */
export function readRope(r: ConfigReader, defaultTheta: number, layerType?: string, legacyThetaKey = 'rope_theta'): RopeSpec {
  const params = r.raw.rope_parameters;
  if (params !== undefined && params !== null) {
    if (typeof params !== 'object' || Array.isArray(params)) r.fail(`key "rope_parameters" must be an object`);
    const p = params as Record<string, unknown>;
    const nested = layerType !== undefined && (p[layerType] !== undefined || 'full_attention' in p || 'sliding_attention' in p);
    const entry = nested ? p[layerType!] : p;
    const key = nested ? `rope_parameters.${layerType}` : 'rope_parameters';
    if (entry !== undefined && entry !== null) {
      if (typeof entry !== 'object' || Array.isArray(entry)) r.fail(`key "${key}" must be an object`);
      const e = entry as Record<string, unknown>;
      const theta = e.rope_theta ?? r.raw[legacyThetaKey] ?? defaultTheta;
      if (typeof theta !== 'number' || !Number.isFinite(theta) || theta <= 0) r.fail(`key "${key}.rope_theta" must be a positive number (got ${JSON.stringify(e.rope_theta)})`);
      if (e.partial_rotary_factor !== undefined && e.partial_rotary_factor !== 1) r.fail(`key "${key}.partial_rotary_factor" is not supported`);
      const scaling = parseRopeScaling(e, r.file, key);
      return { theta: theta as number, ...(scaling ? { scaling } : {}) };
    }
  }
  const scaling = parseRopeScaling(r.raw.rope_scaling, r.file, 'rope_scaling');
  return { theta: r.num(legacyThetaKey, defaultTheta), ...(scaling ? { scaling } : {}) };
}

export function parseRopeScaling(rs: unknown, file: string, key = 'rope_scaling'): RopeScaling | undefined {
  if (rs === undefined || rs === null) return undefined;
  const bad = (why: string): never => {
    throw new Error(`${file}: key "${key}" (${JSON.stringify(rs)}) ${why}`);
  };
  if (typeof rs !== 'object' || Array.isArray(rs)) return bad('must be an object');
  const r = rs as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  if (type === 'default' || (type === undefined && key !== 'rope_scaling')) return undefined;
  const pos = (k: string): number => {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return bad(`needs a positive number "${k}"`);
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
