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

/** Where each visible chart's plot area sits in the page (uPlot's .u-over covers exactly the plotting canvas). */
const chartBoxes = (p: Awaited<ReturnType<typeof openPanel>>) =>
  p.page.locator('section.chart:not([hidden]) .uplot').evaluateAll((els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
  }));

test('the charts use the panel: a grid as wide as the panel, charts as tall as the visible height allows, resized with it', async () => {
  const p = await openPanel('dashboard', DashboardHostMessage, { state: { smoothing: 0 } });
  await p.send({ type: 'snapshot', runs: [sft] });
  await p.page.waitForFunction(() => document.querySelectorAll('section.chart:not([hidden]) canvas').length === 4);
  const viewport = p.page.viewportSize()!;
  const fits = async () => {
    const boxes = await chartBoxes(p);
    const { width, height } = p.page.viewportSize()!;
    assert.equal(boxes.length, 4);
    assert.ok(Math.max(...boxes.map((b) => b.bottom)) <= height, `every chart is in view without scrolling: ${JSON.stringify(boxes)}`);
    const right = Math.max(...boxes.map((b) => b.right));
    assert.ok(right >= width - 40, `the grid reaches the right edge of the panel (${right} of ${width})`);
    const bottom = Math.max(...boxes.map((b) => b.bottom));
    assert.ok(bottom >= height - 120, `the charts fill the panel's height, not half of it (bottom ${bottom} of ${height})`);
    return boxes;
  };
  const before = await fits();
  assert.equal(await p.page.getAttribute('.grid', 'data-fits'), 'true');
  assert.equal(await p.page.getAttribute('.grid', 'data-columns'), '2', 'four charts in a 2 × 2 grid on a wide panel');
  assert.ok(before[0].height >= 220, `charts are not small: ${before[0].height}px tall in a ${viewport.height}px panel`);
  await p.page.setViewportSize({ width: 1600, height: 1000 });
  await p.page.waitForFunction((w) => (document.querySelector('section.chart .uplot')?.getBoundingClientRect().width ?? 0) > w, before[0].width + 100);
  const after = await fits();
  assert.ok(after[0].height > before[0].height, 'a taller panel gets taller charts');
  await p.page.setViewportSize({ width: 500, height: 800 });
  await p.page.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-columns') === '1');
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('reward accuracy is smoothed like loss: its EMA over the raw per-batch series, which stays faint', async () => {
  const noisy: DashboardRun = {
    ...dpo,
    records: Array.from({ length: 20 }, (_, i) => ({ step: i + 1, epoch: (i + 1) / 20, loss: 0.69 - i * 0.01, 'rewards/accuracies': i % 2 ? 1 : 0.25 })),
  };
  const p = await openPanel('dashboard', DashboardHostMessage, { state: { smoothing: 0.8 } });
  await p.send({ type: 'snapshot', runs: [noisy] });
  await p.page.waitForFunction(() => document.querySelector('section.chart[data-metric="accuracies"]')?.getAttribute('data-points') === '20');
  assert.deepEqual((await p.page.getAttribute('section.chart[data-metric="accuracies"]', 'data-series'))?.split('\n'), ['rewards/accuracies (raw)', 'rewards/accuracies (EMA 0.80)']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});
