// Training on a labeled preference file follows the annotator's labels, never the storage order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRecords, DataError } from '../../../src/trainer/train/dataLoader';

function writeJsonl(name: string, records: object[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-prefs-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

const meta = (label: string) => ({ annotator: 'dr-a', label, rationale: '', time: '2026-11-22T10:00:00Z' });
const pair = (id: string, extra: object = {}) => ({ id, prompt: `Prompt ${id}`, chosen: `A of ${id}`, rejected: `B of ${id}`, ...extra });

test('labels decide chosen/rejected; ties, both-bad and unlabeled are left out and counted', async () => {
  const file = writeJsonl('x.prefs.jsonl', [
    pair('1', { meta: meta('A') }),
    pair('2', { meta: meta('B') }),
    pair('3', { meta: meta('tie') }),
    pair('4', { meta: meta('both_bad') }),
    pair('5'),
  ]);
  const loaded = await loadRecords(file, 'dpo');
  assert.equal(loaded.kind, 'dpo');
  if (loaded.kind !== 'dpo') return;
  assert.deepEqual(
    loaded.records.map((r) => [r.line, r.record.chosen, r.record.rejected]),
    [
      [1, 'A of 1', 'B of 1'],
      [2, 'B of 2', 'A of 2'],
    ],
  );
  assert.deepEqual(loaded.preferences, { records: 5, pairs: 2, swapped: 1, ties: 1, bothBad: 1, unlabeled: 1 });
});

test('a labeled file with no A/B decision is refused with the counts', async () => {
  const file = writeJsonl('y.prefs.jsonl', [pair('1', { meta: meta('tie') }), pair('2')]);
  await assert.rejects(loadRecords(file, 'dpo'), (e: unknown) => e instanceof DataError && /0 pairs from 2 records/.test(e.message) && /1 ties/.test(e.message));
});

test('an unknown label names the line and field', async () => {
  const file = writeJsonl('z.dpo.jsonl', [pair('1', { meta: meta('A') }), pair('2', { meta: { label: 'maybe' } })]);
  await assert.rejects(loadRecords(file, 'dpo'), (e: unknown) => e instanceof DataError && /:2: field "meta.label"/.test(e.message));
});

test('an ordinary DPO file without labels is used as written', async () => {
  const file = writeJsonl('plain.dpo.jsonl', [pair('1'), pair('2')]);
  const loaded = await loadRecords(file, 'dpo');
  assert.equal(loaded.kind, 'dpo');
  if (loaded.kind !== 'dpo') return;
  assert.equal(loaded.preferences, undefined);
  assert.deepEqual(loaded.records.map((r) => r.record.chosen), ['A of 1', 'A of 2']);
});
