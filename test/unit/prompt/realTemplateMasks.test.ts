// SFT masks on a `messages` record through the real Llama 3, Qwen3 and Gemma 3 chat templates: exactly each
// assistant turn's content and its end-of-turn token are trained — what transformers' return_assistant_tokens_mask
// marks for a template whose {% generation %} block wraps content + end marker — never the header, Qwen3's empty
// <think></think> block on the last turn, or the newline after the marker. The rendered text is the one
// transformers' apply_chat_template writes (checked in by test/python/hf_tokenizers.py).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { realTokenizerFolder, type TokenizerFamily } from '../../fixtures/realTokenizers';
import { tempDir } from '../engine/helpers';
import { loadTextSide } from '../../../src/trainer/engine/textSide';
import { inspectRecord } from '../../../src/trainer/prompt/inspectRecords';
import { sftRecord } from '../train/mockModel';
import cases from '../../fixtures/realTokenizerCases.json';
import checkedIn from '../../fixtures/realTokenizerExpected.json';

const ids: Record<TokenizerFamily, { vocab: number; bos?: number; eos: number; eot: number }> = {
  llama3: { vocab: 128256, bos: 128000, eos: 128001, eot: 128009 },
  qwen3: { vocab: 151936, eos: 151645, eot: 151645 },
  gemma3: { vocab: 262144, bos: 2, eos: 1, eot: 106 },
};
const EOT: Record<TokenizerFamily, string> = { llama3: '<|eot_id|>', qwen3: '<|im_end|>', gemma3: '<end_of_turn>' };

function textSide(family: TokenizerFamily) {
  const folder = path.join(tempDir(`masks-${family}`), 'model');
  fs.mkdirSync(folder);
  const real = realTokenizerFolder(family);
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(real, f), path.join(folder, f));
  const t = ids[family];
  fs.writeFileSync(
    path.join(folder, 'config.json'),
    JSON.stringify({ architectures: ['LlamaForCausalLM'], vocab_size: t.vocab, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, ...(t.bos !== undefined ? { bos_token_id: t.bos } : {}), eos_token_id: t.eos }),
  );
  return loadTextSide(folder);
}

/** The trained tokens as runs of consecutive pieces. */
function trainedRuns(r: { pieces: string[]; trained: boolean[] }): string[] {
  const runs: string[] = [];
  r.pieces.forEach((p, i) => {
    if (!r.trained[i]) return;
    if (i > 0 && r.trained[i - 1]) runs[runs.length - 1] += p;
    else runs.push(p);
  });
  return runs;
}

// Two assistant turns, the second the last: conversation 2 of the real-tokenizer cases.
const twoTurns = cases.conversations[2];

for (const family of ['llama3', 'qwen3', 'gemma3'] as const) {
  describe(`SFT masks on the real ${family} chat template`, () => {
    const side = textSide(family);
    const eot = EOT[family];

    test('every assistant turn trains its content and end-of-turn token, nothing else', () => {
      const r = inspectRecord(1, sftRecord({ messages: twoTurns.messages }), side.tokenizer, side.chatTemplate, 4096);
      assert.equal(r.text, checkedIn[family].rendered[2], 'the text fed is what transformers renders');
      assert.deepEqual(r.tokens, side.tokenizer.encode(r.text, { addSpecialTokens: false }), 'tokenised per segment = the whole text tokenised, as transformers masks it');
      assert.deepEqual(trainedRuns(r), [`500 mg  q8h.${eot}`, `25–45 mg/kg/day\ndivided q12h.${eot}`]);
      assert.equal(r.tokens.filter((id, i) => r.trained[i] && id === ids[family].eot).length, 2, 'each end of turn is one trained special token');
      assert.ok(!r.tokens.includes(ids[family].eos) || ids[family].eos === ids[family].eot, 'no EOS appended after the template');
    });

    test('a system turn and a single answer: only the answer and its end of turn', () => {
      const r = inspectRecord(1, sftRecord({ messages: cases.conversations[0].messages }), side.tokenizer, side.chatTemplate, 4096);
      assert.equal(r.text, checkedIn[family].rendered[0]);
      assert.deepEqual(trainedRuns(r), [`ESI 1–2: ECG within 10 min, aspirin 325 mg.${eot}`]);
    });
  });
}

test('Qwen3: the empty <think></think> block its template writes before the last answer is context', () => {
  const side = textSide('qwen3');
  const r = inspectRecord(1, sftRecord({ messages: twoTurns.messages }), side.tokenizer, side.chatTemplate, 4096);
  const lastAnswer = r.text.lastIndexOf('<|im_start|>assistant\n');
  assert.ok(r.text.slice(lastAnswer).startsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n25–45'), 'the template writes the block on the last turn');
  let at = 0;
  const trainedText = r.pieces.filter((p, i) => {
    const inside = at >= lastAnswer;
    at += p.length;
    return inside && r.trained[i];
  });
  assert.ok(!trainedText.join('').includes('think'), 'no <think> piece is trained');
});
