// The dataset preview: the statistics cards, the virtual table (it asks the host for the rows it shows and
// renders what comes back), one record opened readably, and filter/search/reveal requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetPreviewHostMessage, type PreviewRow, type PreviewStats } from '../../src/core/protocol/datasetPreview';
import { closeBrowser, openPanel } from './panelPage';

after(closeBrowser);

const stats: PreviewStats = {
  records: 3, invalid: 1, format: 'prompt_completion', formatLabel: 'prompt / completion', errors: 1, warnings: 1,
  lengthUnit: 'tokens', tokenizer: 'tokenizer.json', histogram: { edges: [0, 10, 20], counts: [2, 1] },
  min: 4, max: 17, mean: 9, p95: 17, labels: [{ label: 'yes', count: 2 }, { label: 'no', count: 1 }],
  duplicates: 1, duplicateLines: [3], phi: 1,
  phiFindings: [{ line: 2, column: 14, code: 'phi_phone', message: 'possible phone number — remove or mask it' }],
};
const rows: PreviewRow[] = [
  { index: 0, line: 1, preview: 'Dysuria and frequency. UTI?', answer: ' yes', label: 'yes', length: 9, phi: 0, duplicate: false, error: null },
  { index: 1, line: 2, preview: 'Call 555-0100 about <b>results</b>. UTI?', answer: ' no', label: 'no', length: 17, phi: 1, duplicate: false, error: null },
  { index: 2, line: 3, preview: 'Dysuria and frequency. UTI?', answer: ' yes', label: 'yes', length: 9, phi: 0, duplicate: true, error: null },
  { index: 3, line: 4, preview: '', answer: '', label: null, length: 0, phi: 0, duplicate: false, error: 'line 4: field "completion" is missing' },
];
const snapshot = { type: 'snapshot' as const, fileName: 'uti.train.sft.jsonl', total: 4, indexing: false, stats, query: '', mode: 'all' as const, indices: null };

test('statistics and the rows the table asked for, dataset text shown as text', async () => {
  const p = await openPanel('datasetPreview', DatasetPreviewHostMessage);
  const before = (await p.posted()).length;
  await p.send(snapshot);
  assert.deepEqual(await p.waitPosted('rows', before), { type: 'rows', start: 0, end: 200 }, 'the first block of rows');
  await p.send({ type: 'rows', rows });
  await p.page.waitForSelector('.row[data-index="3"] .cell.flags.error');
  assert.deepEqual(await p.texts('h1.title'), ['uti.train.sft.jsonl']);
  assert.deepEqual(await p.texts('#summary'), ['prompt / completion · 3 valid records · 1 invalid lines · 1 errors · 1 warnings']);
  assert.deepEqual(await p.texts('#stat-records'), ['3']);
  assert.deepEqual(await p.texts('#labels .label-row'), ['yes2 (67%)', 'no1 (33%)']);
  assert.deepEqual(await p.texts('#dup-count'), ['1']);
  assert.deepEqual(await p.texts('#phi-list li'), ['line 2:14 phone — possible phone number']);
  assert.equal(await p.page.locator('#histogram .bar').count(), 2);
  assert.deepEqual(await p.texts('#count'), ['4 rows']);
  const cells = await p.page.locator('.rows .row').evaluateAll((els) => els.map((r) => [...r.querySelectorAll('.cell')].map((c) => (c.textContent ?? '').trim())));
  assert.deepEqual(cells, [
    ['1', '1', 'Dysuria and frequency. UTI?', 'yes', 'yes', '9', ''],
    ['2', '2', 'Call 555-0100 about <b>results</b>. UTI?', 'no', 'no', '17', 'PHI 1'],
    ['3', '3', 'Dysuria and frequency. UTI?', 'yes', 'yes', '9', 'dup'],
    ['4', '4', 'line 4: field "completion" is missing', '', '', '', 'invalid'],
  ]);
  assert.equal(await p.page.locator('.rows b').count(), 0, 'markup in a record is not parsed');
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('a clicked row asks for its record and shows it; issues and PHI findings reveal the line in the editor', async () => {
  const p = await openPanel('datasetPreview', DatasetPreviewHostMessage);
  await p.send(snapshot);
  await p.send({ type: 'rows', rows });
  await p.page.waitForSelector('.row[data-index="1"]');
  let n = (await p.posted()).length;
  await p.page.click('.row[data-index="1"]');
  assert.deepEqual(await p.waitPosted('record', n), { type: 'record', index: 1 });
  await p.send({
    type: 'record', index: 1, line: 2, raw: '{"prompt":"Call 555-0100 about <b>results</b>. UTI?","completion":" no"}',
    record: { prompt: 'Call 555-0100 about <b>results</b>. UTI?', completion: ' no' },
    issues: [{ severity: 'warning', line: 2, column: 14, field: 'prompt', code: 'phi_phone', message: 'possible phone number' }],
  });
  await p.page.waitForSelector('#record .block-text');
  assert.deepEqual(await p.texts('#record .block-label'), ['Prompt', 'Completion']);
  assert.deepEqual(await p.texts('#record .block-text'), ['Call 555-0100 about <b>results</b>. UTI?', 'no']);
  assert.deepEqual(await p.texts('#record .issues li'), ['2:14 phi_phone (prompt): possible phone number']);
  n = (await p.posted()).length;
  await p.page.click('#record .issues li button');
  assert.deepEqual(await p.waitPosted('reveal', n), { type: 'reveal', line: 2, column: 14 });
  n = (await p.posted()).length;
  await p.page.click('#phi-list button[data-line="2"]');
  assert.deepEqual(await p.waitPosted('reveal', n), { type: 'reveal', line: 2, column: 14 });
  // A record that arrives for a row no longer selected is not shown.
  await p.send({ type: 'record', index: 0, line: 1, raw: '{}', record: { prompt: 'stale', completion: 'x' }, issues: [] });
  assert.deepEqual(await p.texts('#record .block-text'), ['Call 555-0100 about <b>results</b>. UTI?', 'no']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('filter and search go to the host; the filtered indices decide which rows are shown', async () => {
  const p = await openPanel('datasetPreview', DatasetPreviewHostMessage);
  await p.send(snapshot);
  await p.send({ type: 'rows', rows });
  let n = (await p.posted()).length;
  await p.page.selectOption('#mode', 'phi');
  assert.deepEqual(await p.waitPosted('filter', n), { type: 'filter', query: '', mode: 'phi' });
  await p.send({ type: 'filtered', query: '', mode: 'phi', indices: [1] });
  await p.page.waitForFunction(() => document.querySelectorAll('.rows .row').length === 1);
  assert.deepEqual(await p.texts('.rows .row .cell.text:nth-child(3)'), ['Call 555-0100 about <b>results</b>. UTI?']);
  assert.deepEqual(await p.texts('#count'), ['1 of 4 rows']);
  n = (await p.posted()).length;
  await p.page.fill('#search', 'dysuria');
  assert.deepEqual(await p.waitPosted('filter', n), { type: 'filter', query: 'dysuria', mode: 'phi' }, 'debounced search, with the mode');
  await p.send({ type: 'error', message: 'uti.train.sft.jsonl could not be read: EACCES' });
  assert.deepEqual(await p.texts('#record [role="alert"]'), ['uti.train.sft.jsonl could not be read: EACCES']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});
