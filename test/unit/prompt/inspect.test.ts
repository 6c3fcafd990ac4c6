// `clinical-ft inspect`: the tokens each record feeds and trains, through the trainer's own renderer — on a tiny
// model through the CLI, and on the real Llama 3 tokenizer and chat template.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { realTokenizerFolder } from '../../fixtures/realTokenizers';
import { bundleTrainerCli, runCli, tempDir } from '../engine/helpers';
import { InspectRecord } from '../../../src/core/protocol/cliOutputs';
import { loadTextSide } from '../../../src/trainer/engine/textSide';
import { inspectRecord } from '../../../src/trainer/prompt/inspectRecords';
import { sftRecord, dpoRecord } from '../train/mockModel';

let trainer = '';
let model = '';
let dir = '';

const cli = (...args: string[]) => runCli(trainer, args);

function jsonl(name: string, rows: unknown[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return f;
}

describe('clinical-ft inspect', () => {
  before(async () => {
    dir = tempDir('inspect');
    trainer = await bundleTrainerCli(`inspect-cli-${process.pid}`);
    model = path.join(dir, 'model');
    await writeTinyModel(model, { arch: 'llama' });
  });

  test('--json: one object per record, the contract fields, trained exactly on the completion and EOS', () => {
    const data = jsonl('pc.jsonl', [{ prompt: 'Fever?', completion: ' admit' }, { prompt: 'Cough?', completion: ' home' }]);
    const r = cli('inspect', '--model', model, '--data', data, '--json');
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n').map((l) => InspectRecord.parse(JSON.parse(l)));
    assert.deepEqual(rows.map((x) => x.line), [1, 2]);
    const first = rows[0];
    for (const k of ['line', 'text', 'tokens', 'pieces', 'trained', 'truncated', 'trainedCount']) assert.ok(k in first, k);
    assert.equal(first.pieces.length, first.tokens.length);
    assert.equal(first.trained.length, first.tokens.length);
    assert.equal(first.pieces.join(''), first.text);
    assert.equal(first.pieces.filter((_, i) => first.trained[i]).join(''), ' admit</s>');
    assert.equal(first.trainedCount, first.trained.filter(Boolean).length);
    assert.deepEqual(first.special.map((s, i) => (s ? first.pieces[i] : '')).filter(Boolean), ['<s>', '</s>']);
    assert.equal(first.truncated, false);
    const one = cli('inspect', '--model', model, '--data', data, '--line', '2', '--json');
    assert.deepEqual(one.out.trim().split('\n').map((l) => (JSON.parse(l) as { line: number }).line), [2]);
  });

  test('truncation that removes the whole answer is flagged, exits 1, and the text view warns', () => {
    const data = jsonl('long.jsonl', [{ prompt: 'x'.repeat(60), completion: ' admit' }]);
    const j = cli('inspect', '--model', model, '--data', data, '--max-length', '16', '--json');
    assert.equal(j.code, 1);
    const row = InspectRecord.parse(JSON.parse(j.out));
    assert.equal(row.tokens.length, 16);
    assert.equal(row.truncated, true);
    assert.equal(row.trainedCount, 0);
    assert.ok(row.droppedTrained > 0);
    const t = cli('inspect', '--model', model, '--data', data, '--max-length', '16');
    assert.match(t.out, /warning: no answer token survives truncation to 16 tokens/);
  });

  test('the text view brackets the trained tokens; DPO shows chosen and rejected', () => {
    const chat = jsonl('chat.jsonl', [{ messages: [{ role: 'user', content: 'Fever?' }, { role: 'assistant', content: 'admit' }] }]);
    const t = cli('inspect', '--model', model, '--data', chat);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /line 1 \(messages\)/);
    assert.match(t.out, /\[admit<\/s>\]\n/, 'the tiny template ends a turn with </s>\\n: </s> trained, the newline not, and no extra EOS');
    const pairs = jsonl('pairs.jsonl', [{ prompt: 'Fever?', chosen: ' admit', rejected: ' home' }]);
    const d = InspectRecord.parse(JSON.parse(cli('inspect', '--model', model, '--data', pairs, '--json').out));
    assert.equal(d.pieces.filter((_, i) => d.trained[i]).join(''), ' admit</s>');
    assert.equal(d.rejected!.pieces.filter((_, i) => d.rejected!.trained[i]).join(''), ' home</s>');
  });

  test('bad flags, a folder without config.json and invalid data are clear errors (exit 2), never a stack trace', () => {
    const data = jsonl('ok.jsonl', [{ text: 'x' }]);
    assert.equal(cli('inspect', '--data', data).code, 2);
    const noModel = cli('inspect', '--model', dir, '--data', data);
    assert.equal(noModel.code, 2);
    assert.match(noModel.err, /not a Hugging Face model folder \(no config\.json\)/);
    const bad = jsonl('bad.jsonl', [{ prompt: 'p', completion: 3 }]);
    const b = cli('inspect', '--model', model, '--data', bad);
    assert.equal(b.code, 2);
    assert.match(b.err, /bad\.jsonl:1:.*completion/);
    assert.doesNotMatch(b.err, /\n\s+at /);
    assert.match(cli('inspect', '--model', model, '--data', data, '--line', '9').err, /no record on line 9/);
  });
});

describe('the real Llama 3 template', () => {
  let text: ReturnType<typeof loadTextSide>;
  before(() => {
    const folder = path.join(tempDir('llama3'), 'model');
    fs.mkdirSync(folder);
    const real = realTokenizerFolder('llama3');
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(real, f), path.join(folder, f));
    fs.writeFileSync(
      path.join(folder, 'config.json'),
      JSON.stringify({ architectures: ['LlamaForCausalLM'], vocab_size: 128256, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, bos_token_id: 128000, eos_token_id: 128001 }),
    );
    text = loadTextSide(folder);
  });

  test('exactly the assistant tokens are trained: content and <|eot_id|>, not the header the template always opens', () => {
    const record = sftRecord({
      messages: [
        { role: 'system', content: 'Triage portal messages.' },
        { role: 'user', content: 'Chest pain for an hour.' },
        { role: 'assistant', content: 'Urgency: emergency' },
        { role: 'user', content: 'And a refill?' },
        { role: 'assistant', content: 'Urgency: routine' },
      ],
    });
    const r = inspectRecord(1, record, text.tokenizer, text.chatTemplate, 512);
    const trainedRuns: string[] = [];
    r.pieces.forEach((p, i) => {
      if (!r.trained[i]) return;
      if (i > 0 && r.trained[i - 1]) trainedRuns[trainedRuns.length - 1] += p;
      else trainedRuns.push(p);
    });
    assert.deepEqual(trainedRuns, ['Urgency: emergency<|eot_id|>', 'Urgency: routine<|eot_id|>']);
    assert.equal(r.tokens[0], 128000, 'one <|begin_of_text|>, written by the template');
    assert.equal(r.tokens.filter((id) => id === 128000).length, 1);
    assert.ok(r.text.startsWith('<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nTriage portal messages.<|eot_id|>'));
    assert.ok(!r.tokens.includes(128001), 'no <|end_of_text|> appended after the template (TRL: conversational SFT adds no EOS)');
    const special = r.pieces.filter((_, i) => r.special[i]);
    assert.ok(special.includes('<|start_header_id|>') && special.includes('<|eot_id|>'));
  });

  test('a DPO pair on the real template trains each answer and its end of turn, then EOS', () => {
    const r = inspectRecord(
      1,
      dpoRecord({ prompt: [{ role: 'user', content: 'Chest pain?' }], chosen: [{ role: 'assistant', content: 'Call 911.' }], rejected: [{ role: 'assistant', content: 'Rest.' }] }),
      text.tokenizer,
      text.chatTemplate,
      512,
    );
    assert.equal(r.pieces.filter((_, i) => r.trained[i]).join(''), 'Call 911.<|eot_id|><|end_of_text|>');
    assert.equal(r.rejected!.pieces.filter((_, i) => r.rejected!.trained[i]).join(''), 'Rest.<|eot_id|><|end_of_text|>');
  });
});
