// The three tokenizer families the issue names, loaded from tokenizer.json through the engine's wrapper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTokenizer } from '../../../src/trainer/engine/tokenizer';
import { parseHfConfig } from '../../../src/trainer/engine';
import { tempDir } from './helpers';

const config = parseHfConfig(
  { architectures: ['MistralForCausalLM'], vocab_size: 400, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, bos_token_id: 1, eos_token_id: 2 },
  'config.json',
);

/** Llama 2 / Mistral style: Metaspace ("▁"), BPE with merges and byte fallback for anything unknown. */
function sentencePieceTokenizer(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  const pieces = ['▁', 'p', 'a', 't', 'i', 'e', 'n', 's', 'c', 'h', 'o', 'r', 'l', 'd', 'v', 'pa', 'ti', 'en', 'nt', 'pati', 'ent', 'patient', '▁patient', '▁c', 'he', 'st', '▁che', '▁chest'];
  pieces.forEach((p, i) => (vocab[p] = 259 + i));
  const merges = ['p a', 't i', 'e n', 'n t', 'pa ti', 'en t', 'pati ent', '▁ patient', '▁ c', 'h e', 's t', '▁c he', '▁che st'];
  return {
    version: '1.0',
    added_tokens: [0, 1, 2].map((id) => ({ id, content: ['<unk>', '<s>', '</s>'][id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, vocab, merges },
  };
}

test('SentencePiece-style BPE (Metaspace, merges, byte fallback) adds BOS and round-trips any text', () => {
  const dir = tempDir('sp');
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(sentencePieceTokenizer()));
  const tok = loadTokenizer(dir, config, { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' });
  const ids = tok.encode('patient chest');
  assert.equal(ids[0], 1);
  assert.equal(ids[1], 259 + 22); // "▁patient" merged whole
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'patient chest');
  const odd = tok.encode('pé!', { addSpecialTokens: false });
  assert.ok(odd.includes(3 + 0xc3) && odd.includes(3 + 0xa9), `é falls back to its UTF-8 bytes: ${odd}`);
  assert.equal(tok.decode(odd), 'pé!');
  assert.equal(tok.eosId, 2);
  assert.equal(tok.bosId, 1);
  assert.equal(tok.padId, 2); // no pad token: EOS pads, as transformers' trainers do
  // Generation that samples EOS first has no output tokens: that decodes to "", not an exception.
  assert.equal(tok.decode([]), '');
  assert.equal(tok.decode([], { skipSpecialTokens: true }), '');
});

test('a broken tokenizer.json names the file', () => {
  const dir = tempDir('badtok');
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"model": ');
  assert.throws(() => loadTokenizer(dir, config, {}), /tokenizer\.json: not valid JSON/);
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'Nope' } }));
  assert.throws(() => loadTokenizer(dir, config, {}), (e: Error) => e.message.includes(path.join(dir, 'tokenizer.json')));
});
