// The sample model's tokenizer: trained deterministically on the synthetic corpus, loadable by
// @huggingface/tokenizers exactly as a downloaded HF tokenizer.json would be, round-tripping any text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { generateCorpus } from '../../../src/trainer/pretrain/clinicalCorpus';
import { corpusText } from '../../../src/trainer/pretrain/corpusText';
import { trainByteLevelBpe } from '../../../src/trainer/pretrain/byteLevelBpe';
import { CHAT_TEMPLATE, SPECIAL_TOKENS, renderChat, tokenizerConfigJson, tokenizerJson } from '../../../src/trainer/pretrain/tokenizerFiles';

const docs = generateCorpus(7, 400);
const texts = docs.map(corpusText);
const bpe = trainByteLevelBpe(texts, 700, SPECIAL_TOKENS);
const tok = new Tokenizer(tokenizerJson(bpe) as never, tokenizerConfigJson(512) as never);

test('the corpus is deterministic, varied and covers every document kind', () => {
  assert.deepEqual(generateCorpus(7, 50), generateCorpus(7, 50));
  assert.notDeepEqual(generateCorpus(8, 50), generateCorpus(7, 50));
  const kinds = new Set(docs.map((d) => d.kind));
  assert.deepEqual([...kinds].sort(), ['chat', 'discharge', 'explanation', 'handoff', 'message', 'note']);
  assert.ok(new Set(texts).size > 390, 'documents should rarely repeat');
});

test('the corpus is not the labelled task data (no labels, triage categories or choices)', () => {
  const all = texts.join('\n');
  for (const marker of [/"label"/, /\bAnswer: [A-E]\b/, /\(A\)/, /urgency:/i, /\bSummarize\b/i, /\bUTI\b/]) assert.doesNotMatch(all, marker);
});

test('BPE training is deterministic and fills the vocabulary', () => {
  const again = trainByteLevelBpe(texts, 700, SPECIAL_TOKENS);
  assert.deepEqual(again.merges, bpe.merges);
  assert.equal(bpe.vocab.size, 700);
  assert.equal(bpe.vocab.get('<s>'), 0);
  assert.equal(bpe.vocab.get('</s>'), 1);
  assert.equal(bpe.vocab.get('<pad>'), 2);
});

test('@huggingface/tokenizers loads it, prepends <s>, and round-trips text', () => {
  const samples = [...texts.slice(0, 20), 'Blood pressure 158/96, naïve café — ünïcode ✓ and emoji 🩺.', '  spaces\n\n and\ttabs  '];
  for (const s of samples) {
    const enc = tok.encode(s);
    assert.equal(enc.ids[0], 0, 'BOS first');
    assert.ok(!tok.encode(s, { add_special_tokens: false }).ids.includes(0));
    assert.equal(tok.decode(enc.ids.slice(1), { skip_special_tokens: false }), s);
  }
});

test('merges compress the clinical prose several-fold versus bytes', () => {
  const text = texts.slice(0, 50).join('\n');
  const ids = tok.encode(text, { add_special_tokens: false }).ids;
  const bytes = new TextEncoder().encode(text).length;
  assert.ok(bytes / ids.length > 2.5, `only ${(bytes / ids.length).toFixed(2)} bytes per token`);
});

test('the chat template renders as renderChat does, role markers and </s> are single tokens', () => {
  const messages = [
    { role: 'system', content: 'You are a helpful clinical assistant.' },
    { role: 'user', content: 'What is asthma?' },
    { role: 'assistant', content: 'Asthma causes the airways to swell.' },
  ];
  const viaJinja = new Template(CHAT_TEMPLATE).render({ messages, add_generation_prompt: true, bos_token: '<s>', eos_token: '</s>' });
  assert.equal(viaJinja, renderChat(messages, true));
  const ids = tok.encode(viaJinja, { add_special_tokens: false }).ids;
  for (const special of ['<|system|>', '<|user|>', '<|assistant|>', '</s>']) assert.ok(ids.includes(bpe.vocab.get(special)!), special);
  assert.equal(ids.filter((i) => i === bpe.vocab.get('</s>')).length, 3);
});
