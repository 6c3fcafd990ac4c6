// Gemma3ForCausalLM, text (transformers modeling_gemma3.py): embeddings × √hidden, (1 + w) RMSNorms (also on q
// and k, before RoPE), a norm on the attention output and around the MLP ("sandwich"), GeGLU with tanh-gelu,
// q·k scaled by query_pre_attn_scalar^-½, sliding-window layers with their own RoPE base
// (rope_local_base_freq) beside full layers (rope_theta and rope_scaling), optional final-logit soft-capping.
// attn_logit_softcapping is read by transformers' Gemma3Attention but never passed to the attention function
// (4.53 and 5.18 alike, unlike Gemma 2): scores are not capped there, so not here either (released configs: null).
import type { ConfigReader } from '../hfConfig';
import { readRope } from '../hfConfig';
import type { DecoderTraits, ModelConfig } from '../types';
import { optionalPositive, readLayerTypes } from './layerTypes';

export function gemma3Traits(r: ConfigReader, c: ModelConfig): DecoderTraits {
  if (r.raw.use_bidirectional_attention === true) r.fail('key "use_bidirectional_attention" true (an embedding model) is not supported: only causal Gemma 3 language models are');
  const pattern = r.raw.sliding_window_pattern == null ? 6 : r.int('sliding_window_pattern');
  const types = readLayerTypes(r, c.numLayers, (i) => ((i + 1) % pattern !== 0 ? 'sliding_attention' : 'full_attention'));
  const window = r.int('sliding_window', 4096);
  const full = { theta: c.ropeTheta, ...(c.ropeScaling ? { scaling: c.ropeScaling } : {}) };
  // Older files: rope_local_base_freq, and rope_scaling updates only the full-attention RoPE in transformers.
  const local = r.raw.rope_parameters == null ? { theta: r.num('rope_local_base_freq', 10000) } : readRope(r, 10000, 'sliding_attention', 'rope_local_base_freq');
  optionalPositive(r, 'attn_logit_softcapping'); // validated, then ignored as transformers does (above)
  const finalLogitSoftcap = optionalPositive(r, 'final_logit_softcapping');
  return {
    qkNorm: true,
    normPlusOne: true,
    scaleEmbeddings: true,
    sandwichNorms: true,
    activation: 'gelu_tanh',
    attentionScale: Math.pow(r.num('query_pre_attn_scalar', 256), -0.5),
    layers: types.map((t) => (t === 'sliding_attention' ? { rope: local, slidingWindow: window } : { rope: full })),
    ...(finalLogitSoftcap !== undefined ? { finalLogitSoftcap } : {}),
  };
}
