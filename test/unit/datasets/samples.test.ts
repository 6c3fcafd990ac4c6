// The committed sample sets are valid, free of PHI findings and duplicates, and exactly what the generator writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateFile, readRecords } from '../../../src/core/node/validateFile';
import { checkLeakage } from '../../../src/core/node/leakage';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const sample = (...p: string[]) => path.join(root, 'datasets-sample', ...p);
const taskFiles = ['uti', 'triage', 'reasoning', 'summarization'].flatMap((t) => fs.readdirSync(sample(t)).filter((f) => f.endsWith('.jsonl')).map((f) => sample(t, f)));

test('every task family has SFT train/eval and (but UTI) DPO train/eval files', () => {
  const names = taskFiles.map((f) => path.basename(f));
  for (const t of ['uti', 'triage', 'reasoning', 'summarization']) for (const s of ['train', 'eval']) assert.ok(names.includes(`${t}.${s}.sft.jsonl`));
  for (const t of ['triage', 'reasoning', 'summarization']) for (const s of ['train', 'eval']) assert.ok(names.includes(`${t}.${s}.dpo.jsonl`));
});

for (const file of taskFiles) {
  test(`sample ${path.basename(file)} is valid with no warnings`, async () => {
    const r = await validateFile(file);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.ok(r.records >= 60, `${r.records} records`);
    assert.equal(r.format !== null, true);
  });
}

test('train and eval splits share no prompt exactly', async () => {
  for (const t of ['uti', 'triage', 'reasoning', 'summarization']) {
    const leaks = await checkLeakage(sample(t, `${t}.train.sft.jsonl`), sample(t, `${t}.eval.sft.jsonl`));
    assert.equal(leaks.filter((l) => l.code === 'leakage_exact').length, 0, t);
  }
});

test('UTI labels are yes/no and both classes are present', async () => {
  const labels = new Map<string, number>();
  for await (const { record } of readRecords(sample('uti', 'uti.train.sft.jsonl'))) {
    assert.equal(record.kind === 'sft' && record.format, 'prompt_completion');
    if (record.kind === 'sft' && record.format === 'prompt_completion' && typeof record.completion === 'string') labels.set(record.completion, (labels.get(record.completion) ?? 0) + 1);
  }
  assert.deepEqual([...labels.keys()].sort(), [' no', ' yes']);
  assert.ok(Math.min(...labels.values()) > 120);
});

test('the generator is deterministic: committed files match a fresh run', () => {
  const r = spawnSync(process.execPath, [sample('generate.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
