// config.json of the Qwen3 and Gemma 3 families: the shapes of released checkpoints parse to the right traits
// (transformers' defaults for what they omit), transformers 5's rope_parameters are read for every family, and
// near misses are refused with the key and what is supported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHfConfig } from '../../../src/trainer/engine';

/** gemma-3-1b-it's config.json (transformers 4.50 format): no head_dim default, no tie_word_embeddings. */
const GEMMA3_1B = {
  architectures: ['Gemma3ForCausalLM'], attention_bias: false, attn_logit_softcapping: null, bos_token_id: 2, eos_token_id: [1, 106],
  final_logit_softcapping: null, head_dim: 256, hidden_activation: 'gelu_pytorch_tanh', hidden_size: 1152, intermediate_size: 6912,
  max_position_embeddings: 32768, model_type: 'gemma3_text', num_attention_heads: 4, num_hidden_layers: 26, num_key_value_heads: 1,
  pad_token_id: 0, query_pre_attn_scalar: 256, rms_norm_eps: 1e-6, rope_local_base_freq: 10000, rope_scaling: null, rope_theta: 1000000,
  sliding_window: 512, sliding_window_pattern: 6, torch_dtype: 'bfloat16', vocab_size: 262144,
};

/** Qwen3-0.6B's config.json. */
const QWEN3_06B = {
  architectures: ['Qwen3ForCausalLM'], attention_bias: false, bos_token_id: 151643, eos_token_id: 151645, head_dim: 128, hidden_act: 'silu',
  hidden_size: 1024, intermediate_size: 3072, max_position_embeddings: 40960, max_window_layers: 28, model_type: 'qwen3', num_attention_heads: 16,
  num_hidden_layers: 28, num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 1000000, sliding_window: null,
  tie_word_embeddings: true, torch_dtype: 'bfloat16', use_sliding_window: false, vocab_size: 151936,
};

test('gemma-3-1b: tied by default, 5 sliding layers (window 512, RoPE base 1e4) per full layer (1e6), q·k / 16', () => {
  const c = parseHfConfig(GEMMA3_1B, 'config.json');
  assert.equal(c.headDim, 256);
  assert.equal(c.tieWordEmbeddings, true);
  assert.equal(c.ropeTheta, 1e6);
  const t = c.traits!;
  assert.deepEqual([t.qkNorm, t.normPlusOne, t.scaleEmbeddings, t.sandwichNorms, t.activation], [true, true, true, true, 'gelu_tanh']);
  assert.equal(t.attentionScale, 1 / 16);
  assert.equal(t.finalLogitSoftcap, undefined);
  const full = t.layers.flatMap((l, i) => (l.slidingWindow === undefined ? [i] : []));
  assert.deepEqual(full, [5, 11, 17, 23]);
  assert.ok(t.layers.every((l) => (l.slidingWindow === undefined ? l.rope.theta === 1e6 : l.slidingWindow === 512 && l.rope.theta === 1e4 && !l.rope.scaling)));
  // Without head_dim / query_pre_attn_scalar the transformers defaults (256, 256) apply, not hidden/heads.
  const bare = parseHfConfig({ ...GEMMA3_1B, head_dim: undefined, query_pre_attn_scalar: undefined, sliding_window_pattern: undefined }, 'config.json');
  assert.equal(bare.headDim, 256);
  assert.equal(bare.traits!.attentionScale, 1 / 16);
});

test('gemma 3 in the transformers 5 format: rope_parameters per layer type, layer_types, rope scaling on full layers only', () => {
  const { rope_theta: _t, rope_local_base_freq: _l, rope_scaling: _s, sliding_window_pattern: _p, ...rest } = GEMMA3_1B;
  const c = parseHfConfig(
    {
      ...rest,
      num_hidden_layers: 3,
      layer_types: ['sliding_attention', 'full_attention', 'sliding_attention'],
      rope_parameters: { full_attention: { rope_type: 'linear', factor: 8, rope_theta: 1e6 }, sliding_attention: { rope_type: 'default', rope_theta: 1e4 } },
      final_logit_softcapping: 30,
    },
    'config.json',
  );
  const [a, b] = c.traits!.layers;
  assert.deepEqual(a, { rope: { theta: 1e4 }, slidingWindow: 512 });
  assert.deepEqual(b, { rope: { theta: 1e6, scaling: { type: 'linear', factor: 8 } } });
  assert.equal(c.traits!.finalLogitSoftcap, 30);
});

test('qwen3-0.6b: head_dim 128 ≠ hidden/heads, q/k norms, no sliding layers', () => {
  const c = parseHfConfig(QWEN3_06B, 'config.json');
  assert.equal(c.headDim, 128);
  assert.equal(c.attentionBias, false);
  assert.equal(c.tieWordEmbeddings, true);
  const t = c.traits!;
  assert.deepEqual([t.qkNorm, t.normPlusOne, t.scaleEmbeddings, t.sandwichNorms, t.activation], [true, false, false, false, 'silu']);
  assert.equal(t.attentionScale, 1 / Math.sqrt(128));
  assert.ok(t.layers.every((l) => l.slidingWindow === undefined && l.rope.theta === 1e6));
  assert.equal(parseHfConfig({ ...QWEN3_06B, head_dim: undefined }, 'config.json').headDim, 128);
  const sliding = parseHfConfig({ ...QWEN3_06B, num_hidden_layers: 4, use_sliding_window: true, sliding_window: 64, max_window_layers: 2 }, 'config.json');
  assert.deepEqual(sliding.traits!.layers.map((l) => l.slidingWindow), [undefined, undefined, 64, 64]);
});

test('llama in the transformers 5 format: rope_parameters carries rope_theta and the llama3 scaling', () => {
  const c = parseHfConfig(
    {
      architectures: ['LlamaForCausalLM'], vocab_size: 100, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32,
      rope_parameters: { rope_type: 'llama3', rope_theta: 500000, factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    },
    'config.json',
  );
  assert.equal(c.ropeTheta, 500000);
  assert.deepEqual(c.ropeScaling, { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
  assert.equal(c.traits, undefined);
});

test('near misses are refused, naming config.json, the key and what is supported', () => {
  const refuse = (raw: Record<string, unknown>, ...parts: string[]) =>
    assert.throws(() => parseHfConfig(raw, '/m/config.json'), (e: Error) => parts.every((p) => e.message.includes(p)) && e.message.startsWith('/m/config.json'), parts.join(' '));
  refuse({ ...GEMMA3_1B, architectures: ['Gemma3ForConditionalGeneration'] }, '"architectures"', 'Gemma3ForCausalLM', 'multimodal');
  refuse({ ...QWEN3_06B, architectures: ['Qwen3MoeForCausalLM'] }, 'Qwen3ForCausalLM', 'mixture-of-experts');
  refuse({ ...GEMMA3_1B, architectures: ['Gemma2ForCausalLM'] }, '"architectures"', 'supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Gemma3ForCausalLM');
  refuse({ ...GEMMA3_1B, hidden_activation: 'gelu' }, '"hidden_activation"', 'gelu_pytorch_tanh');
  refuse({ ...QWEN3_06B, hidden_act: 'gelu' }, '"hidden_act"', '"silu"');
  refuse({ ...GEMMA3_1B, layer_types: ['full_attention'] }, '"layer_types"', 'one entry per layer (26)');
  refuse({ ...GEMMA3_1B, num_hidden_layers: 1, layer_types: ['chunked_attention'] }, '"layer_types[0]"', 'sliding_attention');
  refuse({ ...GEMMA3_1B, use_bidirectional_attention: true }, '"use_bidirectional_attention"');
  refuse({ ...GEMMA3_1B, final_logit_softcapping: -1 }, '"final_logit_softcapping"');
  refuse({ ...QWEN3_06B, rope_parameters: { rope_type: 'yarn', factor: 4, rope_theta: 1e6 } }, '"rope_parameters"', 'not supported');
  refuse({ ...QWEN3_06B, num_hidden_layers: 2, layer_types: ['sliding_attention', 'full_attention'] }, '"layer_types"', 'use_sliding_window');
});
