// What llama.cpp expects of each decoder family, as its converter (convert_hf_to_gguf.py, gguf-py's
// constants and tensor_mapping) defines it: the architecture name, the hyper-parameter keys, the tensor
// names, and Llama's q/k row permutation (llama.cpp rotates interleaved pairs; HF rotates halves).
import type { ModelConfig } from '../engine/types';
import { f32, str, u32, type GgmlType, type GgufValue, Q8_0_BLOCK } from './ggufFormat';
import { ExportError } from './mergedWeights';

export type GgufArch = 'llama' | 'qwen2' | 'qwen3';

/** HF architecture → llama.cpp architecture (Mistral converts as llama, as convert_hf_to_gguf registers it). */
export function ggufArchOf(config: ModelConfig, configFile: string): GgufArch {
  switch (config.architecture) {
    case 'LlamaForCausalLM':
    case 'MistralForCausalLM':
      return 'llama';
    case 'Qwen2ForCausalLM':
      return 'qwen2';
    case 'Qwen3ForCausalLM':
      return 'qwen3';
    default:
      throw new ExportError(`${configFile}: ${config.architecture} cannot be exported to GGUF here (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM); export it with --format hf and convert it with llama.cpp's convert_hf_to_gguf.py`);
  }
}

/** The hyper-parameter keys llama.cpp reads for the architecture (`{arch}.…`). */
export function ggufHyperParameters(arch: GgufArch, config: ModelConfig, raw: Record<string, unknown>, configFile: string): [string, GgufValue][] {
  const a = (k: string): string => `${arch}.${k}`;
  const kv: [string, GgufValue][] = [
    [a('vocab_size'), u32(config.vocabSize)],
    [a('context_length'), u32(config.maxPositionEmbeddings)],
    [a('embedding_length'), u32(config.hiddenSize)],
    [a('block_count'), u32(config.numLayers)],
    [a('feed_forward_length'), u32(config.intermediateSize)],
    [a('attention.head_count'), u32(config.numHeads)],
    [a('attention.head_count_kv'), u32(config.numKvHeads)],
    [a('rope.freq_base'), f32(config.ropeTheta)],
    [a('attention.layer_norm_rms_epsilon'), f32(config.rmsNormEps)],
    [a('rope.dimension_count'), u32(config.headDim)],
  ];
  // The converter writes key/value lengths only when config.json names head_dim; they then override hidden/heads.
  if (typeof raw.head_dim === 'number' || config.headDim * config.numHeads !== config.hiddenSize) {
    kv.push([a('attention.key_length'), u32(config.headDim)], [a('attention.value_length'), u32(config.headDim)]);
  }
  const scaling = config.ropeScaling;
  if (scaling?.type === 'linear') kv.push([a('rope.scaling.type'), str('linear')], [a('rope.scaling.factor'), f32(scaling.factor)]);
  // llama3 scaling travels as the rope_freqs tensor (ropeFrequencyFactors), as the converter writes it.
  const layers = config.traits?.layers;
  if (layers?.some((l) => l.slidingWindow !== undefined)) {
    throw new ExportError(`${configFile}: sliding-window attention layers cannot be exported to GGUF here; export with --format hf`);
  }
  return kv;
}

/**
 * Llama 3's frequency-dependent RoPE as llama.cpp takes it: one divisor per rotary frequency (rope_freqs.weight),
 * computed as the converter computes it.
 */
export function ropeFrequencyFactors(config: ModelConfig): Float32Array | undefined {
  const s = config.ropeScaling;
  if (s?.type !== 'llama3') return undefined;
  const dim = config.headDim;
  const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const freq = Math.fround(1 / Math.fround(config.ropeTheta ** Math.fround((2 * i) / dim)));
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else {
      const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}

const LAYER_NAMES: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'self_attn.q_proj.bias': 'attn_q.bias',
  'self_attn.k_proj.bias': 'attn_k.bias',
  'self_attn.v_proj.bias': 'attn_v.bias',
  'self_attn.o_proj.bias': 'attn_output.bias',
  'self_attn.q_norm.weight': 'attn_q_norm.weight',
  'self_attn.k_norm.weight': 'attn_k_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};

/** HF tensor name → GGUF tensor name; undefined for tensors llama.cpp does not load (a tied lm_head, RoPE buffers). */
export function ggufTensorName(key: string, config: ModelConfig): string | undefined {
  if (key === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (key === 'model.norm.weight') return 'output_norm.weight';
  // llama.cpp falls back to token_embd when output.weight is absent, which is what tying means.
  if (key === 'lm_head.weight') return config.tieWordEmbeddings ? undefined : 'output.weight';
  if (key.endsWith('.rotary_emb.inv_freq')) return undefined;
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(key);
  const mapped = m ? LAYER_NAMES[m[2]] : undefined;
  if (!m || !mapped) throw new ExportError(`tensor "${key}" has no GGUF counterpart for ${config.architecture}; export with --format hf`);
  return `blk.${m[1]}.${mapped}`;
}

/**
 * llama.cpp's rotary embedding for the llama architecture pairs neighbouring rows of each head; HF pairs the
 * two halves. The converter reorders q and k rows (weights and biases) accordingly: within each head, row
 * (half h, index i) moves to position 2·i + h.
 */
export function permuteForLlamaRope(data: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const perHead = rows / heads;
  const half = perHead / 2;
  const out = new Float32Array(data.length);
  for (let hd = 0; hd < heads; hd++) {
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < half; i++) {
        const src = hd * perHead + h * half + i;
        const dst = hd * perHead + 2 * i + h;
        out.set(data.subarray(src * cols, (src + 1) * cols), dst * cols);
      }
    }
  }
  return out;
}

/** The tensor transform the architecture needs before writing (only Llama's q/k permutation). */
export function ggufTransform(arch: GgufArch, key: string, shape: number[], config: ModelConfig): ((data: Float32Array) => Float32Array) | undefined {
  if (arch !== 'llama') return undefined;
  const m = /self_attn\.(q|k)_proj\.(weight|bias)$/.exec(key);
  if (!m) return undefined;
  const heads = m[1] === 'q' ? config.numHeads : config.numKvHeads;
  const cols = shape.length === 2 ? shape[1] : 1;
  return (data) => permuteForLlamaRope(data, shape[0], cols, heads);
}

/**
 * The converter's type choice: 1-D tensors and norms stay float32; 2-D weights take the file's type, falling
 * back to f16 where q8_0's 32-value blocks do not divide a row.
 */
export function ggufTensorType(ggufName: string, shape: number[], fileType: 'F16' | 'Q8_0'): GgmlType {
  if (shape.length <= 1 || ggufName.endsWith('_norm.weight') || !ggufName.endsWith('.weight')) return 'F32';
  if (fileType === 'Q8_0' && shape[shape.length - 1] % Q8_0_BLOCK !== 0) return 'F16';
  return fileType;
}
