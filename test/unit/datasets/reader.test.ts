// The streaming reader and validator on the awkward inputs: chunk boundaries, CRLF, BOM, multi-byte text,
// invalid UTF-8, a 50 MB line, over-long lines, a torn last line, stdin-like streams; readRecords output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { validateFile, readRecords, DatasetError } from '../../../src/core/node/validateFile';
import { readLineBatches } from '../../../src/core/node/jsonlReader';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-reader-'));
const write = (name: string, content: string | Buffer) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, content);
  return f;
};
const rec = (i: number) => JSON.stringify({ id: i, prompt: `Prompt ${i} — naïve café ✓ 😀`, completion: ` answer ${i}` });

test('lines split across tiny chunks come back whole, numbered, without CR', async () => {
  const f = write('chunks.jsonl', `\ufeff${[1, 2, 3, 4, 5].map(rec).join('\r\n')}\r\n`);
  const lines: { line: number; text: string }[] = [];
  for await (const b of readLineBatches(f, { chunkBytes: 7 })) for (const e of b) if (e.kind === 'line') lines.push({ line: e.line, text: e.text });
  assert.deepEqual(lines, [1, 2, 3, 4, 5].map((i) => ({ line: i, text: rec(i) })));
});

test('invalid UTF-8 is reported at the character column of the bad byte, the other lines still checked', async () => {
  const bad = Buffer.concat([Buffer.from('{"prompt":"é😀 '), Buffer.from([0xc3, 0x28]), Buffer.from(' x","completion":"y"}\n')]);
  const f = write('utf8.jsonl', Buffer.concat([Buffer.from(`${rec(1)}\n`), bad, Buffer.from(`${rec(3)}\n`)]));
  const r = await validateFile(f, { chunkBytes: 5 });
  assert.deepEqual(r.errors.map((e) => [e.code, e.line, e.column]), [['invalid_utf8', 2, '{"prompt":"é😀 '.length + 1]]);
  assert.equal(r.records, 2);
});

test('a 50 MB single line is validated; lines over the limit are skipped with an error', async () => {
  const big = JSON.stringify({ prompt: 'a'.repeat(50 * 1024 * 1024), completion: 'b' });
  const f = write('big.jsonl', `${rec(1)}\n${big}\n${rec(3)}\n`);
  const r = await validateFile(f, { phi: false });
  assert.deepEqual(r.errors, []);
  assert.equal(r.records, 3);
  const limited = await validateFile(f, { phi: false, maxLineBytes: 1024 * 1024 });
  assert.deepEqual(limited.errors.map((e) => [e.code, e.line]), [['line_too_long', 2]]);
  assert.equal(limited.records, 2);
});

test('syntax errors carry line and column; a torn last line is only a warning', async () => {
  const f = write('syntax.jsonl', `${rec(1)}\n{"prompt": "x", "completion": tru}\n{"prompt": "x", 'completion': "y"}\n{"prompt":"cut`);
  const r = await validateFile(f);
  assert.deepEqual(r.errors.map((e) => [e.code, e.line, e.column]), [
    ['json_syntax', 2, 31],
    ['json_syntax', 3, 17],
  ]);
  assert.deepEqual(r.warnings.map((e) => [e.code, e.line]), [['torn_last_line', 4]]);
});

test('schema errors inside messages point at the field', async () => {
  const line = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 5 }] });
  const r = await validateFile(write('msg.jsonl', `${line}\n`));
  assert.deepEqual(r.errors.map((e) => [e.code, e.field, e.column]), [['wrong_type', 'messages[1].content', line.indexOf('5') + 1]]);
});

test('--format sft rejects DPO records and PHI can be made an error', async () => {
  const f = write('dpo.jsonl', `${JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' })}\n`);
  assert.equal((await validateFile(f, { format: 'sft' })).errors[0].code, 'wrong_kind');
  assert.deepEqual((await validateFile(f, { format: 'dpo' })).errors, []);
  const phi = write('phi.jsonl', `${JSON.stringify({ text: 'Call 617-555-0123' })}\n`);
  assert.equal((await validateFile(phi)).warnings[0].code, 'phi_phone');
  assert.equal((await validateFile(phi, { phiAsErrors: true })).errors[0].code, 'phi_phone');
});

test('validateFile reads a stream (stdin) as well as a path', async () => {
  const r = await validateFile(Readable.from([Buffer.from(`${rec(1)}\n${rec(2)}`)]));
  assert.equal(r.records, 2);
  assert.equal(r.format, 'prompt_completion');
});

test('readRecords normalizes every format and throws DatasetError naming file, line and field', async () => {
  const alpaca = write('a.jsonl', `${JSON.stringify({ instruction: 'Classify.', input: 'Note.', output: 'yes' })}\n`);
  const got = [];
  for await (const r of readRecords(alpaca)) got.push(r);
  assert.deepEqual(got, [{ line: 1, record: { kind: 'sft', format: 'alpaca', instruction: 'Classify.', input: 'Note.', prompt: 'Classify.\n\nNote.', completion: 'yes' } }]);

  const implicit = write('i.jsonl', `${JSON.stringify({ chosen: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'good' }], rejected: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'bad' }] })}\n`);
  for await (const { record } of readRecords(implicit, { format: 'dpo' })) {
    assert.deepEqual(record, { kind: 'dpo', format: 'implicit_preference', prompt: [{ role: 'user', content: 'q' }], chosen: [{ role: 'assistant', content: 'good' }], rejected: [{ role: 'assistant', content: 'bad' }] });
  }

  const broken = write('b.jsonl', `${rec(1)}\n${JSON.stringify({ prompt: 'x', completion: '' })}\n${rec(3)}\n`);
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const { line } of readRecords(broken)) seen.push(line);
    })(),
    (e: unknown) => e instanceof DatasetError && /b\.jsonl:2:\d+: completion: /.test(e.message),
  );
  assert.deepEqual(seen, [1]);
  const skipped = [];
  for await (const { line } of readRecords(broken, { skipInvalid: true })) skipped.push(line);
  assert.deepEqual(skipped, [1, 3]);
});
