// The run dashboard: the legend (run, status, step), one chart per signal with the points it was sent, live
// appends and status changes, and the buttons' requests to the host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DashboardHostMessage, type DashboardRun } from '../../src/core/protocol/dashboard';
import { closeBrowser, openPanel } from './panelPage';

after(closeBrowser);

const sft: DashboardRun = {
  id: '20261122-090000-sft-uti',
  label: 'SFT · uti.train.sft.jsonl',
  method: 'sft',
  status: 'running',
  step: 3,
  totalSteps: 10,
  records: [
    { step: 1, epoch: 0.1, loss: 2.5, learning_rate: 1e-3, grad_norm: 4, tokens_per_second: 900 },
    { step: 2, epoch: 0.2, loss: 2.1, learning_rate: 1e-3, grad_norm: 3 },
    { step: 3, epoch: 0.3, loss: 1.9, learning_rate: 9e-4, grad_norm: 2.5 },
    { step: 3, epoch: 0.3, eval_loss: 2.0 },
  ],
};
const dpo: DashboardRun = {
  id: '20261122-100000-dpo-uti',
  label: 'DPO · uti.train.dpo.jsonl',
  method: 'dpo',
  status: 'completed',
  step: 2,
  totalSteps: 2,
  records: [
    { step: 1, epoch: 0.5, loss: 0.69, 'rewards/chosen': 0.1, 'rewards/rejected': -0.1, 'rewards/margins': 0.2, 'rewards/accuracies': 0.75 },
    { step: 2, epoch: 1, loss: 0.6, 'rewards/chosen': 0.2, 'rewards/rejected': -0.3, 'rewards/margins': 0.5, 'rewards/accuracies': 1 },
  ],
};

const points = async (p: Awaited<ReturnType<typeof openPanel>>, metric: string) => p.page.getAttribute(`section.chart[data-metric="${metric}"]`, 'data-points');

test('a snapshot of one SFT run: legend with status and step, SFT charts only, every point plotted', async () => {
  const p = await openPanel('dashboard', DashboardHostMessage, { state: { smoothing: 0 } });
  assert.deepEqual(await p.texts('.notice'), ['No run selected.']);
  await p.send({ type: 'snapshot', runs: [sft] });
  assert.deepEqual(await p.texts('.run .run-label'), ['SFT · uti.train.sft.jsonl']);
  assert.deepEqual(await p.texts('.run vscode-badge'), ['running']);
  assert.deepEqual(await p.texts('.run .muted'), ['step 3/10']);
  await p.page.waitForFunction(() => document.querySelector('section.chart[data-metric="loss"]')?.getAttribute('data-points') === '4');
  assert.equal(await points(p, 'loss'), '4', '3 train losses + 1 eval loss');
  assert.equal(await p.page.getAttribute('section.chart[data-metric="loss"]', 'data-series'), 'loss\neval_loss');
  assert.equal(await points(p, 'lr'), '3');
  assert.equal(await points(p, 'tps'), '1');
  assert.deepEqual(await p.texts('section.chart:not([hidden]) h3'), ['Loss', 'Learning rate', 'Grad norm', 'Tokens / s'], 'no DPO charts for an SFT run');
  assert.equal(await p.page.locator('section.chart[data-metric="loss"] canvas').count(), 1, 'uPlot drew the chart');
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('appends extend the curves, status messages update the legend', async () => {
  const p = await openPanel('dashboard', DashboardHostMessage, { state: { smoothing: 0 } });
  await p.send({ type: 'snapshot', runs: [sft] });
  await p.send({ type: 'append', runId: sft.id, records: [{ step: 4, epoch: 0.4, loss: 1.7, learning_rate: 8e-4 }, { step: 5, epoch: 0.5, loss: 1.6 }] });
  await p.page.waitForFunction(() => document.querySelector('section.chart[data-metric="loss"]')?.getAttribute('data-last-step') === '5');
  assert.equal(await points(p, 'loss'), '6');
  assert.equal(await points(p, 'lr'), '4');
  assert.deepEqual(await p.texts('.run .muted'), ['step 5/10']);
  await p.send({ type: 'status', runId: sft.id, status: 'failed', step: 5, totalSteps: 10 });
  assert.deepEqual(await p.texts('.run vscode-badge'), ['failed']);
  assert.equal(await p.page.getAttribute('.run', 'data-status'), 'failed');
  // An append for a run that is not shown changes nothing.
  await p.send({ type: 'append', runId: 'elsewhere', records: [{ step: 9, epoch: 1, loss: 0.1 }] });
  assert.deepEqual(await p.texts('.run .muted'), ['step 5/10']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('two runs, one DPO: reward charts appear, raw loss stays under its EMA, remove and export go to the host', async () => {
  const p = await openPanel('dashboard', DashboardHostMessage, { state: { smoothing: 0.6 } });
  await p.send({ type: 'snapshot', runs: [sft, dpo] });
  assert.deepEqual(await p.texts('.run .run-label'), ['SFT · uti.train.sft.jsonl', 'DPO · uti.train.dpo.jsonl']);
  await p.page.waitForFunction(() => document.querySelector('section.chart[data-metric="margins"]')?.getAttribute('data-points') === '2');
  assert.equal(await points(p, 'rewards'), '4', 'chosen and rejected, two steps each');
  assert.equal(await points(p, 'accuracies'), '2');
  const series = (await p.page.getAttribute('section.chart[data-metric="loss"]', 'data-series'))?.split('\n');
  assert.deepEqual(series, [
    `loss · ${sft.id} (raw)`, `loss · ${sft.id} (EMA 0.60)`, `eval_loss · ${sft.id}`,
    `loss · ${dpo.id} (raw)`, `loss · ${dpo.id} (EMA 0.60)`,
  ]);
  let n = (await p.posted()).length;
  await p.page.click(`.run[data-run="${dpo.id}"] button.remove`);
  assert.deepEqual(await p.waitPosted('removeRun', n), { type: 'removeRun', runId: dpo.id });
  n = (await p.posted()).length;
  await p.page.click('vscode-button:has-text("Export CSV")');
  assert.deepEqual(await p.waitPosted('exportCsv', n), { type: 'exportCsv' });
  n = (await p.posted()).length;
  await p.page.click('vscode-button:has-text("Export PNG")');
  const png = await p.waitPosted('exportPng', n);
  assert.match(String(png.dataUrl), /^data:image\/png;base64,[A-Za-z0-9+/]{100,}/, 'the charts as a PNG');
  await p.send({ type: 'exported', what: 'png', path: '/ws/charts.png' });
  assert.deepEqual(await p.texts('.notice'), ['Saved PNG to /ws/charts.png']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});
