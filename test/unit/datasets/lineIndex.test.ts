// The duplicate-detection table: first line per key through growth, with hash-sized, edge and non-table keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../../src/core/datasets/lineIndex';
import { hash53 } from '../../../src/core/datasets/contentHash';
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
