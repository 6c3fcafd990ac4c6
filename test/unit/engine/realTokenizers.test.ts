// The real Llama 3, Qwen3 and Gemma 3 tokenizers and chat templates through the engine's wrappers
// (@huggingface/tokenizers, @huggingface/jinja) versus the Hugging Face libraries: ids of clinical text from the
// `tokenizers` library and renderings from transformers' apply_chat_template. Always against the outputs
// checked in from a Python run (realTokenizerExpected.json); against a live run when CLINICAL_FT_PYTHON is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTokenizer, readTokenizerConfig } from '../../../src/trainer/engine/tokenizer';
import { loadChatTemplate } from '../../../src/trainer/engine/chatTemplate';
import { parseHfConfig, type ChatMessage } from '../../../src/trainer/engine';
import { REAL_TOKENIZER_FAMILIES, realTokenizerFolder, type TokenizerFamily } from '../../fixtures/realTokenizers';
import { realPython, runPython } from '../../fixtures/realPython';
import cases from '../../fixtures/realTokenizerCases.json';
import checkedIn from '../../fixtures/realTokenizerExpected.json';

interface FamilyOutput {
  ids: number[][];
  ids_with_specials: number[][];
  rendered: string[];
}
type Outputs = Record<TokenizerFamily, FamilyOutput>;

const config = parseHfConfig(
  { architectures: ['LlamaForCausalLM'], vocab_size: 300000, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 },
  'config.json',
);

/** What the engine produces for every case, per family. */
function engineOutputs(): Outputs {
  const out = {} as Outputs;
  for (const family of REAL_TOKENIZER_FAMILIES) {
    const dir = realTokenizerFolder(family);
    const tokConfig = readTokenizerConfig(dir);
    const tok = loadTokenizer(dir, config, tokConfig);
    const template = loadChatTemplate(tokConfig, path.join(dir, 'tokenizer_config.json'));
    assert.ok(template, `${family}: tokenizer_config.json carries a chat template`);
    out[family] = {
      ids: cases.texts.map((t) => tok.encode(t, { addSpecialTokens: false })),
      ids_with_specials: cases.texts.map((t) => tok.encode(t, { addSpecialTokens: true })),
      rendered: cases.conversations.map((c) => template.render(c.messages as ChatMessage[], { addGenerationPrompt: c.add_generation_prompt })),
    };
    // Decoding gives the text back (the byte-level families are lossless; Gemma's normalizer keeps text as is).
    cases.texts.forEach((t, i) => assert.equal(tok.decode(out[family].ids[i]), t, `${family}: decode(encode(text ${i}))`));
  }
  return out;
}

let engine: Outputs | undefined;
const ours = (): Outputs => (engine ??= engineOutputs());

function compare(got: Outputs, want: Outputs, against: string): void {
  for (const family of REAL_TOKENIZER_FAMILIES) {
    cases.texts.forEach((text, i) => {
      assert.deepEqual(got[family].ids[i], want[family].ids[i], `${family} ids of ${JSON.stringify(text)} differ from ${against}`);
      assert.deepEqual(got[family].ids_with_specials[i], want[family].ids_with_specials[i], `${family} ids (add_special_tokens) of ${JSON.stringify(text)} differ from ${against}`);
    });
    cases.conversations.forEach((_, i) => assert.equal(got[family].rendered[i], want[family].rendered[i], `${family} chat template, conversation ${i}, differs from ${against}`));
  }
}

test('real tokenizers: ids of clinical text and chat templates equal the checked-in Hugging Face outputs', () => {
  compare(ours(), checkedIn as unknown as Outputs, `the checked-in outputs of ${JSON.stringify(checkedIn.versions)}`);
  // The special tokens written in text are parsed as special tokens, as the tokenizers library does.
  const specials = cases.texts.findIndex((t) => t.includes('<|eot_id|>'));
  assert.ok(ours().llama3.ids[specials].includes(128009), 'llama3: <|eot_id|> in text is one token');
  assert.ok(ours().qwen3.ids[specials].includes(151645), 'qwen3: <|im_end|> in text is one token');
  assert.ok(ours().gemma3.ids[specials].includes(106), 'gemma3: <end_of_turn> in text is one token');
});

test('real tokenizers: equal to a live run of tokenizers and transformers', (t) => {
  const py = realPython(t);
  if (!py) return;
  const folders = Object.fromEntries(REAL_TOKENIZER_FAMILIES.map((f) => [f, realTokenizerFolder(f)]));
  const live = JSON.parse(runPython(py, 'hf_tokenizers.py', [], JSON.stringify({ folders, texts: cases.texts, conversations: cases.conversations }))) as Outputs & { versions: Record<string, string> };
  console.log(`# live Python: ${JSON.stringify(live.versions)}`);
  const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
  try {
    compare(ours(), live, `the live run (${JSON.stringify(live.versions)})`);
    compare(live, checkedIn as unknown as Outputs, 'the checked-in outputs');
  } catch (e) {
    // Keep the live outputs for inspection (or to refresh the checked-in file after a deliberate change).
    fs.mkdirSync(path.join(root, 'out'), { recursive: true });
    fs.writeFileSync(path.join(root, 'out', 'realTokenizerExpected.live.json'), JSON.stringify(live, null, 1));
    throw e;
  }
});
