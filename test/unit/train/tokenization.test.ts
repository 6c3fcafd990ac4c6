// Every dataset format becomes ids + a loss mask with loss exactly where TRL puts it, through the one renderer
// (src/trainer/prompt/renderRecord.ts); DPO pairs share the prompt; SFT and DPO render the same prompt format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeDpo, tokenizeSft, type TokenizedExample } from '../../../src/trainer/prompt/renderRecord';
import { byteTokenizer as tok, chatml, dpoRecord, sftRecord, BOS, EOS } from './mockModel';
import type { ChatTemplateLike } from '../../../src/core/prompt/recordSegments';

const trained = (e: TokenizedExample) => tok.decode(e.ids.filter((_, i) => e.lossMask[i] === 1));
const context = (e: TokenizedExample) => tok.decode(e.ids.filter((_, i) => e.lossMask[i] === 0));
const eosTrained = (e: TokenizedExample) => e.ids[e.ids.length - 1] === EOS && e.lossMask[e.lossMask.length - 1] === 1;

test('prompt/completion: loss on the completion and EOS only, one BOS', () => {
  const e = tokenizeSft(sftRecord({ prompt: 'Q: fever?', completion: ' admit' }), tok, chatml, 100);
  assert.equal(e.ids[0], BOS);
  assert.equal(e.ids.filter((id) => id === BOS).length, 1);
  assert.equal(trained(e), ' admit');
  assert.ok(eosTrained(e));
  assert.equal(tok.decode(e.ids), 'Q: fever? admit');
});

test('messages: chat template, loss on every assistant turn only (with its end marker)', () => {
  const e = tokenizeSft(
    sftRecord({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Fever?' }, { role: 'assistant', content: 'Admit' }] }),
    tok,
    chatml,
    500,
  );
  assert.equal(trained(e), 'Hello<|end|>Admit<|end|>', 'content and end marker; the newline after the marker lays out the next turn');
  assert.ok(!e.ids.includes(EOS), "as TRL: a chat template's end-of-turn marker is the stop, no EOS is appended");
  assert.ok(!trained(e).includes('<|assistant|>'), 'the generation prompt is context, not a target');
});

test('without a chat template SFT and DPO render the same plain "### User:" prompt', () => {
  const e = tokenizeSft(sftRecord({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }), tok, undefined, 500);
  assert.equal(tok.decode(e.ids), '### User:\nHi\n\n### Assistant:\nHello\n\n');
  assert.equal(trained(e), 'Hello\n\n');
  assert.ok(eosTrained(e), 'the plain template has no end marker: EOS is the trained stop');
  const d = tokenizeDpo(dpoRecord({ prompt: [{ role: 'user', content: 'Hi' }], chosen: [{ role: 'assistant', content: 'Hello' }], rejected: [{ role: 'assistant', content: 'Bye' }] }), tok, undefined, 500);
  assert.equal(context(d.chosen), '### User:\nHi\n\n### Assistant:\n');
  assert.equal(trained(d.chosen), 'Hello\n\n');
});

test('text: loss on everything (after BOS); alpaca: chat template when present, else the Alpaca prompt', () => {
  const t = tokenizeSft(sftRecord({ text: 'Discharge summary.' }), tok, chatml, 100);
  assert.equal(trained(t), 'Discharge summary.');
  const a = tokenizeSft(sftRecord({ instruction: 'Classify', input: 'chest pain', output: 'urgent' }), tok, chatml, 500);
  assert.equal(tok.decode(a.ids), '<|user|>\nClassify\n\nchest pain<|end|>\n<|assistant|>\nurgent<|end|>\n');
  assert.equal(trained(a), 'urgent<|end|>');
  const plain = tokenizeSft(sftRecord({ instruction: 'Classify', output: 'urgent' }), tok, undefined, 500);
  assert.match(tok.decode(plain.ids), /### Instruction:\nClassify\n\n### Response:\nurgent$/);
  assert.equal(trained(plain), 'urgent');
});

test('over-long examples are truncated to max length and flagged, with the answer tokens it cut counted', () => {
  const e = tokenizeSft(sftRecord({ prompt: 'x'.repeat(30), completion: 'y'.repeat(30) }), tok, undefined, 40);
  assert.equal(e.ids.length, 40);
  assert.equal(e.truncated, true);
  assert.equal(trained(e), 'y'.repeat(9));
  assert.equal(e.droppedTrained, 22, '21 answer bytes and the EOS');
  const cutAll = tokenizeSft(sftRecord({ prompt: 'x'.repeat(50), completion: 'y' }), tok, undefined, 40);
  assert.equal(trained(cutAll), '');
  assert.equal(cutAll.droppedTrained, 2);
});

test('DPO: chosen and rejected share the prompt; masks cover responses and EOS', () => {
  const p = tokenizeDpo(dpoRecord({ prompt: 'Admit?', chosen: ' yes', rejected: ' no' }), tok, chatml, 100);
  assert.equal(trained(p.chosen), ' yes');
  assert.equal(trained(p.rejected), ' no');
  assert.ok(eosTrained(p.chosen) && eosTrained(p.rejected));
  // TRL's extract_prompt: the shared prefix is the prompt, the answers keep their leading space.
  const implicit = tokenizeDpo(dpoRecord({ chosen: 'Admit? yes', rejected: 'Admit? no' }), tok, chatml, 100);
  assert.equal(trained(implicit.chosen), ' yes');
  assert.equal(trained(implicit.rejected), ' no');
  const chat = tokenizeDpo(dpoRecord({ prompt: [{ role: 'user', content: 'Admit?' }], chosen: [{ role: 'assistant', content: 'yes' }], rejected: [{ role: 'assistant', content: 'no' }] }), tok, chatml, 100);
  assert.equal(context(chat.chosen), '<|user|>\nAdmit?<|end|>\n<|assistant|>\n');
  assert.equal(trained(chat.chosen), 'yes<|end|>\n', "TRL's DPO: the response is all the template writes after the prompt");
  assert.ok(eosTrained(chat.chosen), "as TRL's DPOTrainer: every response ends in a trained EOS");
  const long = tokenizeDpo(dpoRecord({ prompt: 'p'.repeat(100), chosen: 'c'.repeat(10), rejected: 'r'.repeat(5) }), tok, undefined, 40);
  assert.ok(long.truncated && long.chosen.ids.length <= 40);
  assert.equal(trained(long.chosen), 'c'.repeat(10));
});

test('conversational prompt-completion: only the completion turns are trained, not assistant turns in the prompt', () => {
  const e = tokenizeSft(
    sftRecord({
      prompt: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Fever?' }],
      completion: [{ role: 'assistant', content: 'Admit' }],
    }),
    tok,
    chatml,
    500,
  );
  assert.equal(trained(e), 'Admit<|end|>');
});

// A template in the shape of Llama 3.1's / Qwen 2.5's: tools in the system turn, tool calls as JSON.
const toolTemplate: ChatTemplateLike = {
  render: (messages, opts) =>
    (opts?.tools ? `<|tools|>${JSON.stringify(opts.tools)}<|end|>\n` : '') +
    messages
      .map((m) => `<|${m.role}|>\n${m.content ?? (m.tool_calls ?? []).map((c) => JSON.stringify(c.function)).join('')}<|end|>\n`)
      .join('') +
    (opts?.addGenerationPrompt ? '<|assistant|>\n' : ''),
};

test('tool calling: the tools reach the template; tool calls are trained, tool results are not', () => {
  const tools = [{ type: 'function', function: { name: 'lookup_lab', parameters: { type: 'object', properties: { test: { type: 'string' } } } } }];
  const e = tokenizeSft(
    sftRecord({
      messages: [
        { role: 'user', content: 'Latest potassium?' },
        { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'lookup_lab', arguments: { test: 'K' } } }] },
        { role: 'tool', name: 'lookup_lab', content: '5.9 mmol/L' },
        { role: 'assistant', content: 'Potassium is high: 5.9.' },
      ],
      tools,
    }),
    tok,
    toolTemplate,
    1000,
  );
  assert.ok(tok.decode(e.ids).startsWith(`<|tools|>${JSON.stringify(tools)}`));
  assert.equal(trained(e), '{"name":"lookup_lab","arguments":{"test":"K"}}<|end|>Potassium is high: 5.9.<|end|>');
  assert.ok(context(e).includes('<|tool|>\n5.9 mmol/L'), 'the tool result is context');
});

test('unpaired preference (KTO) renders as prompt + completion: the label does not change the tokens', () => {
  const good = tokenizeSft(sftRecord({ prompt: 'Admit?', completion: ' yes', label: true }), tok, chatml, 100);
  const bad = tokenizeSft(sftRecord({ prompt: 'Admit?', completion: ' yes', label: false }), tok, chatml, 100);
  assert.deepEqual(good, bad);
  assert.equal(trained(good), ' yes');
});
