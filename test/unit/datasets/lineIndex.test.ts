// The duplicate-detection table: first line per key through growth, with hash-sized, edge and non-table keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../../src/core/datasets/lineIndex';
import { contentParts, hash53, hash64 } from '../../../src/core/datasets/contentHash';
import type { DatasetRecord } from '../../../src/core/datasets/records';
import { numericHash } from '../../../src/core/node/validateFile';

test('reports the first line of every repeated key, across many growths', () => {
  const index = new LineIndex();
  const keys = Array.from({ length: 50_000 }, (_, i) => numericHash(`record ${i} ${'x'.repeat(i % 100)}`));
  assert.equal(new Set(keys).size, keys.length, 'test keys are distinct');
  keys.forEach((k, i) => assert.equal(index.firstLine(k, i + 1), undefined));
  keys.forEach((k, i) => assert.equal(index.firstLine(k, 100_000 + i), i + 1));
});

test('keys at the edges of the table range and outside it (strings, fractions, negatives) are kept apart', () => {
  const index = new LineIndex();
  const keys: (string | number)[] = [0, 1, 2 ** 32, 2 ** 32 + 1, 2 ** 48 - 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, -1, 0.5, 2 ** 60, '0', '1', 'id'];
  keys.forEach((k, i) => assert.equal(index.firstLine(k, i + 1), undefined, `first sight of ${String(k)}`));
  keys.forEach((k, i) => assert.equal(index.firstLine(k, 99), i + 1, `repeat of ${String(k)}`));
});

test('keys that share their low 32 bits (one probe chain) are told apart', () => {
  const index = new LineIndex();
  for (let hi = 0; hi < 2000; hi++) assert.equal(index.firstLine(hi * 2 ** 32 + 7, hi + 1), undefined);
  for (let hi = 0; hi < 2000; hi++) assert.equal(index.firstLine(hi * 2 ** 32 + 7, 0), hi + 1);
});

test('hash53 is a deterministic safe integer that separates near-identical short strings', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 100_000; i++) {
    const h = hash53(`id\u0000r${i}`);
    assert.ok(Number.isSafeInteger(h) && h >= 0);
    seen.add(h);
  }
  assert.equal(seen.size, 100_000);
  assert.equal(hash53('abc'), hash53('abc'));
  assert.notEqual(hash53('ab'), hash53('ba'));
});

test('a record hashes as the concatenation of its pieces, which keep every field and role apart', () => {
  // The pieces are hashed in turn (no concatenated copy is made): the result must be the hash of the joined text.
  for (const parts of [[], [''], ['a'], ['ab', '', 'c'], ['\u0002', 'user', '\u0000', 'Hé 😀', '\u0002']]) {
    assert.equal(hash53(parts), hash53(parts.join('')), JSON.stringify(parts));
    assert.equal(hash64(parts), hash64(parts.join('')), JSON.stringify(parts));
  }
  const key = (r: DatasetRecord) => hash53(contentParts(r));
  const pc = (prompt: string, completion: string): DatasetRecord => ({ kind: 'sft', format: 'prompt_completion', prompt, completion });
  assert.equal(key(pc('a', 'b')), key({ ...pc('a', 'b'), id: 'other id' }), 'ids are not content');
  assert.notEqual(key(pc('ab', 'c')), key(pc('a', 'bc')), 'the prompt/completion boundary counts');
  const chat = (role: string, content: string): DatasetRecord => ({ kind: 'sft', format: 'messages', messages: [{ role, content }] as never });
  assert.notEqual(key(chat('user', 'hi')), key(chat('assistant', 'hi')), 'roles count');
  const pref = (chosen: string, rejected: string): DatasetRecord => ({ kind: 'dpo', format: 'preference', prompt: 'p', chosen, rejected });
  assert.notEqual(key(pref('a', 'b')), key(pref('b', 'a')), 'chosen and rejected are not interchangeable');
  const kto = (label: boolean): DatasetRecord => ({ kind: 'kto', format: 'unpaired_preference', prompt: 'p', completion: 'c', label });
  assert.notEqual(key(kto(true)), key(kto(false)), 'the KTO label counts');
});
