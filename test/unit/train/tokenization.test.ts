// Every SFT format becomes ids + a loss mask with loss exactly where TRL puts it; DPO pairs share the prompt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeSft, type TokenizedExample } from '../../../src/trainer/train/sftExamples';
import { tokenizeDpo } from '../../../src/trainer/train/dpoExamples';
import { byteTokenizer as tok, chatml, BOS, EOS } from './mockModel';

const trained = (e: TokenizedExample) => tok.decode(e.ids.filter((_, i) => e.lossMask[i] === 1));
const eosTrained = (e: TokenizedExample) => e.ids[e.ids.length - 1] === EOS && e.lossMask[e.lossMask.length - 1] === 1;

test('prompt/completion: loss on the completion and EOS only', () => {
  const e = tokenizeSft({ prompt: 'Q: fever?', completion: ' admit' }, tok, chatml, 100);
  assert.equal(e.ids[0], BOS);
  assert.equal(trained(e), ' admit');
  assert.ok(eosTrained(e));
  assert.equal(tok.decode(e.ids), 'Q: fever? admit');
});

test('messages: chat template, loss on every assistant turn only (with its end marker)', () => {
  const e = tokenizeSft(
    { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Fever?' }, { role: 'assistant', content: 'Admit' }] },
    tok,
    chatml,
    500,
  );
  assert.equal(trained(e), 'Hello<|end|>\nAdmit<|end|>\n');
  assert.ok(eosTrained(e));
  assert.ok(!trained(e).includes('<|assistant|>'), 'the generation prompt is context, not a target');
});

test('messages without a chat template use the plain "### Role:" template', () => {
  const e = tokenizeSft({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }, tok, undefined, 500);
  assert.equal(tok.decode(e.ids), '### User:\nHi\n\n### Assistant:\nHello\n\n');
  assert.equal(trained(e), 'Hello\n\n');
});

test('text: loss on everything (after BOS); alpaca: chat template when present, else the Alpaca prompt', () => {
  const t = tokenizeSft({ text: 'Discharge summary.' }, tok, chatml, 100);
  assert.equal(trained(t), 'Discharge summary.');
  const a = tokenizeSft({ instruction: 'Classify', input: 'chest pain', output: 'urgent' }, tok, chatml, 500);
  assert.equal(tok.decode(a.ids), '<|user|>\nClassify\n\nchest pain<|end|>\n<|assistant|>\nurgent<|end|>\n');
  assert.equal(trained(a), 'urgent<|end|>\n');
  const plain = tokenizeSft({ instruction: 'Classify', output: 'urgent' }, tok, undefined, 500);
  assert.match(tok.decode(plain.ids), /### Instruction:\nClassify\n\n### Response:\nurgent$/);
  assert.equal(trained(plain), 'urgent');
});

test('over-long examples are truncated to max length and flagged, never dropped', () => {
  const e = tokenizeSft({ prompt: 'x'.repeat(30), completion: 'y'.repeat(30) }, tok, undefined, 40);
  assert.equal(e.ids.length, 40);
  assert.equal(e.truncated, true);
  assert.equal(trained(e), 'y'.repeat(9));
});

test('DPO: chosen and rejected share the prompt; masks cover responses and EOS', () => {
  const p = tokenizeDpo({ prompt: 'Admit?', chosen: ' yes', rejected: ' no' }, tok, chatml, 100);
  assert.equal(trained(p.chosen), ' yes');
  assert.equal(trained(p.rejected), ' no');
  assert.ok(eosTrained(p.chosen) && eosTrained(p.rejected));
  const implicit = tokenizeDpo({ chosen: 'Admit? yes', rejected: 'Admit? no' }, tok, chatml, 100);
  assert.equal(trained(implicit.chosen), 'yes');
  assert.equal(trained(implicit.rejected), 'no');
  const chat = tokenizeDpo({ prompt: [{ role: 'user', content: 'Admit?' }], chosen: [{ role: 'assistant', content: 'yes' }], rejected: [{ role: 'assistant', content: 'no' }] }, tok, chatml, 100);
  assert.equal(tok.decode(chat.chosen.ids.filter((_, i) => chat.chosen.lossMask[i] === 0)), '<|user|>\nAdmit?<|end|>\n<|assistant|>\n');
  assert.equal(trained(chat.chosen), 'yes<|end|>\n');
  const long = tokenizeDpo({ prompt: 'p'.repeat(100), chosen: 'c'.repeat(10), rejected: 'r'.repeat(5) }, tok, undefined, 40);
  assert.ok(long.truncated && long.chosen.ids.length <= 40);
  assert.equal(trained(long.chosen), 'c'.repeat(10));
});
