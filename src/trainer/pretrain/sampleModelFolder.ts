// The bundled sample model's HF folder: config.json, generation_config.json and the tokenizer files
// (the weights are written by the pretraining loop from the engine's own model).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import type { BpeModel } from './byteLevelBpe';
import { BOS, EOS, PAD, tokenizerConfigJson, tokenizerJson } from './tokenizerFiles';

export interface SampleShape {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
}

export const SAMPLE_SHAPE: SampleShape = {
  vocabSize: 2048,
  hiddenSize: 128,
  numLayers: 4,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 384,
  maxPositionEmbeddings: 1024,
};

export function hfConfigJson(shape: SampleShape, ids: { bos: number; eos: number; pad: number }): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: shape.vocabSize,
    hidden_size: shape.hiddenSize,
    num_hidden_layers: shape.numLayers,
    num_attention_heads: shape.numHeads,
    num_key_value_heads: shape.numKvHeads,
    head_dim: shape.hiddenSize / shape.numHeads,
    intermediate_size: shape.intermediateSize,
    hidden_act: 'silu',
    max_position_embeddings: shape.maxPositionEmbeddings,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: true,
    initializer_range: 0.02,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    torch_dtype: 'float32',
    use_cache: true,
  };
}

/** Everything but the weights: config, generation config and tokenizer files. */
export function writeModelFiles(dir: string, shape: SampleShape, bpe: BpeModel): void {
  fs.mkdirSync(dir, { recursive: true });
  const id = (t: string) => bpe.vocab.get(t)!;
  const ids = { bos: id(BOS), eos: id(EOS), pad: id(PAD) };
  const json = (name: string, value: unknown) => writeFileAtomic(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
  json('config.json', hfConfigJson(shape, ids));
  json('generation_config.json', { bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad, do_sample: false, max_new_tokens: 128 });
  json('tokenizer.json', tokenizerJson(bpe));
  json('tokenizer_config.json', tokenizerConfigJson(shape.maxPositionEmbeddings));
}
