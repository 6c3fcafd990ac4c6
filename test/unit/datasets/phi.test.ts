// PHI detectors: exact spans on typical identifiers, silence on clinical numbers, and precision/recall floors
// on the labelled synthetic set (datasets-sample/phi/phi-labelled.jsonl). Prints the measured figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectPhi, labelColon } from '../../../src/core/phi/detectors';
import { scorePhi, type LabelledSpan } from '../../../src/core/phi/evaluate';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();

const spans = (text: string) => detectPhi(text).map((f) => `${f.category}:${f.text}`);

test('typical identifiers are found with exact spans', () => {
  assert.deepEqual(spans('Seen by Dr. Ana Lopez; call (617) 555-0123 or fax 617-555-0199.'), ['name:Ana Lopez', 'phone:(617) 555-0123', 'fax:617-555-0199']);
  assert.deepEqual(spans('SSN 123-45-6789, MRN: 00482913, email ana.l@example.org'), ['ssn:123-45-6789', 'mrn:00482913', 'email:ana.l@example.org']);
  assert.deepEqual(spans('DOB 03/14/1950, admitted 2023-03-14 and March 14, 2023.'), ['date:03/14/1950', 'date:2023-03-14', 'date:March 14, 2023']);
  assert.deepEqual(spans('Lives at 12 Oak Street, Salem, MA 01970. Visit https://x.example.org/a?b=1 from 192.168.10.20.'), [
    'address:12 Oak Street, Salem, MA',
    'zip:01970',
    'url:https://x.example.org/a?b=1',
    'ip:192.168.10.20',
  ]);
  assert.deepEqual(spans('A 93-year-old woman; Patient: John Doe'), ['age:93', 'name:John Doe']);
  const text = 'x Dr. Ana Lopez';
  const f = detectPhi(text)[0];
  assert.equal(text.slice(f.start, f.end), 'Ana Lopez');
});

test('clinical numbers and eponyms are not PHI', () => {
  for (const t of [
    'BP 120/80, HR 88, SpO2 97%, temp 38.5 C.',
    'WBC 12.5, platelets 250,000, creatinine 1.2 mg/dL.',
    'Amoxicillin 500 mg three times daily for 7 days; heparin 5000 units.',
    'Diagnosed in 2019; 88-year-old with Parkinson disease.',
    'Dr. on call notified. Patient: Male, 45 years old.',
    'ICD-10 N39.0, fever for 3 days, titer 1:160.',
    'Urine culture positive for Klebsiella. Culture grew Enterococcus.',
    'Child-Pugh class C; Wells score 2.',
  ]) {
    assert.deepEqual(spans(t), [], t);
  }
});

test('precision and recall on the labelled synthetic set stay above their floors', () => {
  const rows = fs
    .readFileSync(path.join(root, 'datasets-sample/phi/phi-labelled.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; meta: { phi: LabelledSpan[] } });
  const s = scorePhi(rows.map((r) => ({ text: r.text, spans: r.meta.phi })));
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`PHI detectors on ${rows.length} labelled records: precision ${pct(s.precision)}, recall ${pct(s.recall)} (TP ${s.truePositives}, FP ${s.falsePositives}, FN ${s.falseNegatives}, exact spans ${s.exactMatches}/${s.truePositives})`);
  for (const [c, v] of Object.entries(s.perCategory)) console.log(`  ${c.padEnd(8)} P ${pct(v.precision).padStart(6)}  R ${pct(v.recall).padStart(6)}  (tp ${v.tp}, fp ${v.fp}, fn ${v.fn})`);
  assert.ok(s.truePositives > 300, 'the set has hundreds of labelled identifiers');
  assert.ok(s.precision >= 0.95, `precision ${s.precision}`);
  assert.ok(s.recall >= 0.9, `recall ${s.recall}`);
  for (const c of ['ssn', 'phone', 'email', 'mrn', 'date']) assert.ok(s.perCategory[c].recall >= 0.95, `${c} recall ${s.perCategory[c].recall}`);
});

test('labelColon agrees with the regex it replaces on random label-like text', () => {
  const reference = /[A-Za-z]\s*:\s*[A-Z][a-z]/;
  const alphabet = ['a', 'Z', 'J', 'e', ':', ' ', '\t', '\u00a0', '\n', '1', '@', '[', '`', '{', 'é', 'Ł', '::', 'Jo', ': ', 'Pt', ' :', 'Ab'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let positives = 0;
  for (let i = 0; i < 20000; i++) {
    let text = '';
    const n = 1 + Math.floor(next() * 12);
    for (let k = 0; k < n; k++) text += alphabet[Math.floor(next() * alphabet.length)];
    const expected = reference.test(text);
    if (expected) positives++;
    assert.equal(labelColon(text), expected, JSON.stringify(text));
  }
  for (const text of ['Patient: Jane', 'Pt :  Jo', 'x: JA', '1: Jane', ': Jane', 'a:Jb', 'a :\tJb c: De']) {
    assert.equal(labelColon(text), reference.test(text), text);
  }
  assert.ok(positives > 100, `only ${positives} positives generated`);
});
