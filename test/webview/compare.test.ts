// The Compare panel: metrics per model, per-example outputs beside the gold answer, the disagreement filter
// and export requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompareHostMessage } from '../../src/core/protocol/compare';
import type { Comparison } from '../../src/core/compare/comparison';
import { closeBrowser, openPanel } from './panelPage';

after(closeBrowser);

const comparison: Comparison = {
  dataset: '/ws/datasets/uti.eval.sft.jsonl',
  models: [
    { name: 'base', modelDir: '/models/base' },
    { name: 'SFT', modelDir: '/models/base', adapterDir: '/runs/sft/adapter' },
    { name: 'DPO', modelDir: '/models/base', adapterDir: '/runs/dpo/adapter' },
  ],
  metrics: [
    { name: 'accuracy', values: [0.5, 0.75, 1] },
    { name: 'UTI classification F1', values: [null, 0.8, 0.8] },
  ],
  examples: [
    { key: 'n1', prompt: 'Dysuria and frequency. UTI?', gold: ' yes', outputs: [' no', ' yes', ' yes'], predicted: ['no', 'yes', 'yes'], scores: [0, 1, 1] },
    { key: 'n2', prompt: 'Knee pain after a fall. UTI?', gold: ' no', outputs: [' no', ' no', ' no'], predicted: ['no', 'no', 'no'], scores: [1, 1, 1] },
    { key: 'n3', prompt: '<img src=x onerror=alert(1)> UTI?', gold: ' yes', outputs: [' yes', null, ' yes'], predicted: ['yes', null, 'yes'], scores: [1, null, 1] },
  ],
};

test('a snapshot shows the models, the metrics table and each example with its gold answer', async () => {
  const p = await openPanel('compare', CompareHostMessage);
  assert.deepEqual(await p.texts('.status, table.metrics'), [], 'nothing but "waiting" before the first snapshot');
  await p.send({ type: 'snapshot', comparison, status: { phase: 'done', message: '3 of 3 evaluated', done: 3, total: 3 } });
  assert.deepEqual(await p.texts('h1'), ['Compare on uti.eval.sft.jsonl']);
  assert.deepEqual(await p.texts('table.metrics thead th'), ['Metric', 'base', 'SFT', 'DPO']);
  assert.deepEqual(await p.texts('table.metrics tbody tr'), ['accuracy0.5000.7501.000', 'UTI classification F1—0.8000.800']);
  assert.deepEqual(await p.texts('table.metrics td.best'), ['1.000'], 'the best value is marked only where the models differ');
  assert.equal(await p.page.getAttribute('.status', 'data-phase'), 'done');
  assert.deepEqual(await p.texts('article.example header code'), ['n1', 'n2', 'n3']);
  assert.deepEqual(await p.texts('article.example .gold pre'), ['yes', 'no', 'yes']);
  assert.deepEqual(await p.texts('article[data-key="n1"] .output pre'), ['no', 'yes', 'yes']);
  assert.deepEqual(await p.texts('article[data-key="n1"] .output.wrong strong'), ['base']);
  assert.deepEqual(await p.texts('article[data-key="n3"] .output em'), ['not evaluated']);
  // Dataset text is text: markup in a prompt is shown, never parsed.
  assert.deepEqual(await p.texts('article[data-key="n3"] details pre'), ['<img src=x onerror=alert(1)> UTI?']);
  assert.equal(await p.page.locator('article img').count(), 0);
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('the disagreement filter keeps the examples where the models answer differently; export asks the host with that filter', async () => {
  const p = await openPanel('compare', CompareHostMessage);
  await p.send({ type: 'snapshot', comparison, status: { phase: 'done', message: 'done', done: 3, total: 3 } });
  assert.deepEqual(await p.texts('label[for="only-disagreements"]'), ["Only examples where the models' answers differ (1 of 3, compared by extracted label)"]);
  await p.page.click('#only-disagreements');
  assert.deepEqual(await p.texts('article.example header code'), ['n1']);
  assert.deepEqual(await p.texts('#visible-count'), ['1 shown']);
  const before = (await p.posted()).length;
  await p.page.click('button[data-export="csv"]');
  assert.deepEqual(await p.waitPosted('export', before), { type: 'export', format: 'csv', onlyDisagreements: true });
  await p.send({ type: 'exported', file: '/ws/compare.csv' });
  assert.deepEqual(await p.texts('.notice'), ['Exported to /ws/compare.csv']);
  await p.page.fill('#search', 'knee');
  await p.page.click('#only-disagreements');
  assert.deepEqual(await p.texts('article.example header code'), ['n2'], 'search narrows the examples');
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('progress replaces the status line; a failed evaluation says so', async () => {
  const p = await openPanel('compare', CompareHostMessage);
  await p.send({ type: 'snapshot', comparison: { ...comparison, examples: [] }, status: { phase: 'evaluating', message: 'evaluating base (1 of 3)', done: 0, total: 3 } });
  assert.equal(await p.page.getAttribute('.status', 'data-phase'), 'evaluating');
  assert.deepEqual(await p.texts('.examples .empty'), ['No outputs yet.']);
  await p.send({ type: 'progress', status: { phase: 'failed', message: 'evaluation failed: SFT adapter unreadable', done: 1, total: 3 } });
  assert.equal(await p.page.getAttribute('.status', 'data-phase'), 'failed');
  assert.deepEqual(await p.texts('.status span'), ['evaluation failed: SFT adapter unreadable']);
  assert.equal(await p.page.getAttribute('.status progress', 'value'), '1');
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('a message outside the protocol is dropped, not rendered', async () => {
  const p = await openPanel('compare', CompareHostMessage);
  await p.page.evaluate(() => window.postMessage({ type: 'snapshot', comparison: { dataset: 'x' } }, '*'));
  await p.page.evaluate(() => window.postMessage({ type: 'exported', file: 42 }, '*'));
  assert.deepEqual(await p.texts('h1'), ['Compare runs']);
  assert.deepEqual(await p.texts('.notice'), []);
  await p.close();
});
