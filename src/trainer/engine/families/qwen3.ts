// Qwen3ForCausalLM (transformers modeling_qwen3.py): Llama plus a per-head RMSNorm of q and k before RoPE, an
// explicit head_dim (default 128, not hidden/heads), biases only when attention_bias (on q, k, v and o), and
// optional sliding-window layers (use_sliding_window: layers from max_window_layers on).
import type { ConfigReader } from '../hfConfig';
import type { DecoderTraits, ModelConfig } from '../types';
import { readLayerTypes } from './layerTypes';

export function qwen3Traits(r: ConfigReader, c: ModelConfig): DecoderTraits {
  const useSliding = r.raw.use_sliding_window === true;
  const window = useSliding && r.raw.sliding_window != null ? r.int('sliding_window') : undefined;
  const mwl = r.raw.max_window_layers ?? 28;
  if (typeof mwl !== 'number' || !Number.isInteger(mwl) || mwl < 0) r.fail(`key "max_window_layers" must be a non-negative integer (got ${JSON.stringify(mwl)})`);
  const maxWindowLayers = mwl as number;
  const types = readLayerTypes(r, c.numLayers, (i) => (window !== undefined && i >= maxWindowLayers ? 'sliding_attention' : 'full_attention'));
  if (types.includes('sliding_attention') && window === undefined) r.fail('key "layer_types" has sliding_attention layers but "use_sliding_window" is not true with a "sliding_window"');
  const rope = { theta: c.ropeTheta, ...(c.ropeScaling ? { scaling: c.ropeScaling } : {}) };
  return {
    qkNorm: true,
    normPlusOne: false,
    scaleEmbeddings: false,
    sandwichNorms: false,
    activation: 'silu',
    attentionScale: 1 / Math.sqrt(c.headDim),
    layers: types.map((t) => (t === 'sliding_attention' ? { rope, slidingWindow: window } : { rope })),
  };
}
