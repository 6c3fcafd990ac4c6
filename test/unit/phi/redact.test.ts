// Redaction: typed placeholders, surrogates consistent within a patient, dates shifted by one offset per patient
// (intervals kept), a manifest without the removed text, output that validates clean, and the allow-list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redactor } from '../../../src/core/phi/redact';
import { shiftDate } from '../../../src/core/phi/dateShift';
import { redactFile } from '../../../src/core/node/redactFile';
import { validateFile } from '../../../src/core/node/validateFile';
import { addToAllowList } from '../../../src/core/node/phiAllowList';
import { ALLOW_LIST_RELATIVE } from '../../../src/core/phi/allowList';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cft-redact-'));
const DAY = 86_400_000;
const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / DAY;

test('placeholder mode replaces each identifier with its typed placeholder', () => {
  const r = new Redactor({ mode: 'placeholder', salt: 's' });
  const out = r.redact('Seen by Dr. Ana Lopez on 03/14/2023; call (617) 555-0123; MRN: 00482913; lives at 12 Oak Street today.', 'p');
  assert.equal(out, 'Seen by Dr. [NAME] on [DATE]; call [PHONE]; MRN: [MRN]; lives at [ADDRESS] today.');
  assert.equal(r.counts.name, 1);
  assert.equal(r.counts.date, 1);
});

test('--kinds limits what is replaced', () => {
  const r = new Redactor({ mode: 'placeholder', salt: 's', kinds: ['phone'] });
  assert.equal(r.redact('Dr. Ana Lopez, call (617) 555-0123.', 'p'), 'Dr. Ana Lopez, call [PHONE].');
});

test('surrogates are consistent within a patient, differ between patients, and dates keep their intervals', () => {
  const r = new Redactor({ mode: 'surrogate', salt: 'fixed' });
  const a1 = r.redact('Sara Schwarz admitted 2023-03-01, discharged 2023-03-15.', 'patient:1');
  const a2 = r.redact('Follow-up for Sara Schwarz on 2023-04-01.', 'patient:1');
  const b = r.redact('Sara Schwarz admitted 2023-03-01.', 'patient:2');
  const name1 = a1.split(' admitted')[0];
  assert.notEqual(name1, 'Sara Schwarz');
  assert.ok(a2.includes(name1), `${a2} uses ${name1}`);
  const d1 = [...(a1.match(/\d{4}-\d{2}-\d{2}/g) ?? [])];
  const d2 = [...(a2.match(/\d{4}-\d{2}-\d{2}/g) ?? [])];
  assert.equal(d1.length, 2);
  assert.notEqual(d1[0], '2023-03-01');
  assert.equal(days(String(d1[0]), String(d1[1])), 14);
  assert.equal(days(String(d1[0]), String(d2[0])), 31);
  const off = r.dateOffset('patient:1');
  assert.ok(off <= -1 && off >= -365);
  assert.notEqual(b.match(/\d{4}-\d{2}-\d{2}/)?.[0] === d1[0] && b.split(' admitted')[0] === name1, true, 'another patient gets other values');
});

test('dates shift in the format they were written in', () => {
  assert.equal(shiftDate('03/14/2023', -10), '03/04/2023');
  assert.equal(shiftDate('3/14/23', -14), '2/28/23');
  assert.equal(shiftDate('2023-03-14', 1), '2023-03-15');
  assert.equal(shiftDate('March 14, 2023', -14), 'February 28, 2023');
  assert.equal(shiftDate('14 Mar 2023', 20), '3 Apr 2023');
  assert.equal(shiftDate('3/14', -14), '2/29');
  assert.equal(shiftDate('November', 31), 'December');
  assert.equal(shiftDate('not a date', 3), undefined);
});

test('redactFile: a new file, never in place; a manifest with hashes and counts but no removed text; the output validates clean', async () => {
  const dir = tmp();
  const input = path.join(dir, 'notes.jsonl');
  const secret = ['Berta Szöllössy', '617-555-0142', 'berta@example.org', '2023-03-14'];
  fs.writeFileSync(
    input,
    [
      { prompt: `Patient ${secret[0]} called from ${secret[1]} on ${secret[3]}.`, completion: `Email ${secret[2]}.`, meta: { patient_id: 'x' } },
      { prompt: `I am ${secret[0]}.`, completion: 'Hello.' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\nnot json\n',
  );
  await assert.rejects(redactFile(input, input, { mode: 'placeholder' }), /never in place/);
  const out = path.join(dir, 'notes.redacted.jsonl');
  const m = await redactFile(input, out, { mode: 'placeholder' });
  const text = fs.readFileSync(out, 'utf8');
  const manifestText = fs.readFileSync(`${out}.redaction.json`, 'utf8');
  for (const s of secret) {
    assert.ok(!text.includes(s), `output holds ${s}`);
    assert.ok(!manifestText.includes(s), `manifest holds ${s}`);
  }
  assert.equal(m.output.records, 2);
  assert.deepEqual(m.skippedLines, [3]);
  assert.equal(m.counts.name, 2);
  assert.equal(m.counts.email, 1);
  assert.match(m.input.sha256, /^[0-9a-f]{64}$/);
  assert.notEqual(m.input.sha256, m.output.sha256);
  const v = await validateFile(out);
  assert.deepEqual(v.warnings.filter((w) => w.code.startsWith('phi_')), [], 'the redacted file has no PHI findings');
  assert.equal(v.errors.length, 0);
});

test('the workspace allow-list is honoured by validate and redact, and stores no text', async () => {
  const dir = tmp();
  const data = path.join(dir, 'data', 'a.jsonl');
  fs.mkdirSync(path.dirname(data));
  fs.writeFileSync(data, `${JSON.stringify({ prompt: 'Spoke with Zorbulax today; call 617-555-0142.', completion: 'ok' })}\n`);
  const before = await validateFile(data);
  assert.ok(before.warnings.some((w) => w.code === 'phi_name'), JSON.stringify(before.warnings));
  const list = path.join(dir, ALLOW_LIST_RELATIVE);
  addToAllowList(list, 'name', 'Zorbulax');
  assert.ok(!fs.readFileSync(list, 'utf8').includes('Zorbulax'));
  const after = await validateFile(data);
  assert.ok(!after.warnings.some((w) => w.code === 'phi_name'), 'allow-listed name not reported');
  assert.ok(after.warnings.some((w) => w.code === 'phi_phone'), 'other findings still reported');
  const m = await redactFile(data, path.join(dir, 'out.jsonl'), { mode: 'placeholder' });
  assert.equal(m.allowListed, 1);
  assert.ok(fs.readFileSync(path.join(dir, 'out.jsonl'), 'utf8').includes('Zorbulax'));
});
