// The real Llama 3, Qwen3 and Gemma 3 tokenizers and chat templates, loaded through the engine's wrappers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTokenizer, readTokenizerConfig } from '../../../src/trainer/engine/tokenizer';
import { loadChatTemplate } from '../../../src/trainer/engine/chatTemplate';
import { parseHfConfig } from '../../../src/trainer/engine';
import { REAL_TOKENIZER_FAMILIES, realTokenizerFolder } from '../../fixtures/realTokenizers';

const config = parseHfConfig(
  { architectures: ['LlamaForCausalLM'], vocab_size: 300000, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 },
  'config.json',
);

for (const family of REAL_TOKENIZER_FAMILIES) {
  test(`${family}: the real tokenizer loads, round-trips clinical text, and its chat template parses`, () => {
    const dir = realTokenizerFolder(family);
    const tokConfig = readTokenizerConfig(dir);
    const tok = loadTokenizer(dir, config, tokConfig);
    const text = 'Pt. 67 y/o with fièvre 38.5°C 🤒  —  BP 120/80';
    const ids = tok.encode(text, { addSpecialTokens: false });
    assert.ok(ids.length > 5);
    assert.equal(tok.decode(ids), text);
    assert.ok(loadChatTemplate(tokConfig, dir), 'the real tokenizer_config.json carries a chat template');
  });
}
