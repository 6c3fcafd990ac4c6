// The fact sheet panel: renders the document the exports render (tables, the loss chart as SVG, the person-written
// fields as a form), posts save/export requests, shows text as text, and runs under the strict CSP.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { FactSheetHostMessage } from '../../src/core/protocol/factsheet';
import { buildFactSheet } from '../../src/core/factsheet/document';
import { NOT_ANSWERED } from '../../src/core/factsheet/answers';
import { closeBrowser, openPanel } from './panelPage';
import { sampleInputs } from '../unit/factsheet/sampleInputs';

after(closeBrowser);

const hostile = '<img src=x onerror=alert(1)> only for research';

test('a snapshot shows every section of the document, the chart and the form with the saved answers', async () => {
  const p = await openPanel('factsheet', FactSheetHostMessage);
  assert.equal(await p.page.getAttribute('.status', 'data-phase'), 'loading');
  const answers = { intendedUse: hostile };
  const doc = buildFactSheet(sampleInputs(), answers);
  await p.send({ type: 'snapshot', status: { phase: 'ready', message: 'Built from /runs/dpo-s1.' }, doc, answers });
  assert.deepEqual(await p.texts('h1'), [doc.title]);
  assert.deepEqual(await p.texts('section h2'), doc.sections.map((s) => s.title));
  assert.equal(await p.page.inputValue('textarea[data-field="intendedUse"]'), hostile, 'text as text');
  assert.equal(await p.page.locator('img').count(), 0);
  assert.equal(await p.page.locator('textarea[data-field]').count(), 7);
  assert.equal((await p.texts('.field .missing')).filter((t) => t === NOT_ANSWERED).length, 6);
  assert.ok(await p.page.locator('section[data-section="training"] svg.chart path.series-0').count() >= 1, 'loss curve drawn as SVG');
  const evalRows = await p.texts('section[data-section="evaluation"] table tbody tr');
  assert.ok(evalRows.includes('SFT0.600 ± 0.141 (n=2)'), evalRows.join(' | '));
  assert.ok(await p.page.isDisabled('button[data-action="save"]'), 'nothing to save yet');
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('typing enables Save (exports wait for it); Save posts every field; export posts the formats', async () => {
  const p = await openPanel('factsheet', FactSheetHostMessage);
  await p.send({ type: 'snapshot', status: { phase: 'ready', message: '' }, doc: buildFactSheet(sampleInputs(), {}), answers: {} });
  await p.page.fill('textarea[data-field="population"]', 'Adults messaging a primary care clinic.');
  assert.ok(!(await p.page.isDisabled('button[data-action="save"]')));
  assert.ok(await p.page.isDisabled('button[data-export="all"]'), 'exports use saved answers only');
  const before = (await p.posted()).length;
  await p.page.click('button[data-action="save"]');
  const save = await p.waitPosted('save', before);
  assert.equal((save.answers as Record<string, string>).population, 'Adults messaging a primary care clinic.');
  assert.equal(Object.keys(save.answers as object).length, 7);
  const saved = { population: 'Adults messaging a primary care clinic.' };
  await p.send({ type: 'saved', file: '/runs/dpo-s1/factsheet.answers.json' });
  await p.send({ type: 'snapshot', status: { phase: 'ready', message: '' }, doc: buildFactSheet(sampleInputs(), saved), answers: saved });
  assert.ok(!(await p.page.isDisabled('button[data-export="all"]')));
  const n = (await p.posted()).length;
  await p.page.click('button[data-export="chai"]');
  assert.deepEqual(await p.waitPosted('export', n), { type: 'export', formats: ['chai'] });
  await p.send({ type: 'exported', files: ['/runs/dpo-s1/factsheet/factsheet.xml'] });
  assert.deepEqual(await p.texts('[data-notice]'), ['Exported: /runs/dpo-s1/factsheet/factsheet.xml']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('a failed build says so; a message outside the protocol is dropped', async () => {
  const p = await openPanel('factsheet', FactSheetHostMessage);
  await p.page.evaluate(() => window.postMessage({ type: 'snapshot', doc: { title: 'x' } }, '*'));
  assert.equal(await p.page.getAttribute('.status', 'data-phase'), 'loading');
  await p.send({ type: 'snapshot', status: { phase: 'failed', message: 'Could not build the fact sheet: run.json: not found' }, doc: null, answers: {} });
  assert.equal(await p.page.getAttribute('.status', 'data-phase'), 'failed');
  assert.deepEqual(await p.texts('.status'), ['Could not build the fact sheet: run.json: not found']);
  assert.equal(await p.page.locator('textarea').count(), 0);
  await p.close();
});
