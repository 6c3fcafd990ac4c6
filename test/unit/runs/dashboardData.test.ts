import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignSeries, CHARTS, decimateRecords, ema, formatTick, metricLines, seriesOf } from '../../../src/core/runs/chartSeries';
import { metricsToCsv } from '../../../src/core/runs/metricsCsv';
import { DashboardWebviewMessage, DashboardHostMessage } from '../../../src/core/protocol/dashboard';
import { DPO_METRIC_NAMES, MetricsRecord, TRAIN_METRIC_NAMES } from '../../../src/core/metrics';

test('EMA: weight 0 is the raw series; debiased start; converges to a constant', () => {
  assert.deepEqual(ema([3, 1, 2], 0), [3, 1, 2]);
  const s = ema([2, 2, 2, 2], 0.9);
  for (const v of s) assert.ok(Math.abs(v - 2) < 1e-12, 'no pull toward zero at the start');
  const step = ema([0, 0, 10, 10, 10, 10, 10, 10], 0.5);
  assert.ok(step[2] < 10 && step[2] > 0 && step.at(-1)! > step[2]);
});

test('seriesOf skips lines without the metric (eval lines in a train series)', () => {
  const recs: MetricsRecord[] = [{ step: 1, epoch: 0, loss: 2 }, { step: 1, epoch: 0, eval_loss: 2.5 }, { step: 2, epoch: 0, loss: 1 }];
  assert.deepEqual(seriesOf(recs, 'loss'), { steps: [1, 2], values: [2, 1] });
  assert.deepEqual(seriesOf(recs, 'eval_loss'), { steps: [1], values: [2.5] });
});

test('alignSeries puts runs of different lengths on one x axis with gaps as null', () => {
  const a = alignSeries([
    { xs: [1, 2, 3], ys: [10, 20, 30] },
    { xs: [2, 4], ys: [5, 6] },
  ]);
  assert.deepEqual(a.x, [1, 2, 3, 4]);
  assert.deepEqual(a.ys, [
    [10, 20, 30, null],
    [null, 5, null, 6],
  ]);
});

test('every TRL metric name the trainer writes has a chart (except counters)', () => {
  const charted = new Set(CHARTS.flatMap((c) => c.metrics));
  for (const m of [...TRAIN_METRIC_NAMES, ...DPO_METRIC_NAMES]) {
    if (m === 'num_tokens' || m.startsWith('logps/')) continue;
    assert.ok(charted.has(m), m);
  }
});

test('CSV: one column per metric seen, run column, quoting', () => {
  const csv = metricsToCsv([
    { id: 'run,1', records: [{ step: 1, epoch: 0.5, loss: 2 }] },
    { id: 'b', records: [MetricsRecord.parse({ step: 1, epoch: 0.5, 'rewards/margins': 0.25, time: '2026-01-01T00:00:00Z' })] },
  ]);
  assert.equal(csv, 'run,step,epoch,time,loss,rewards/margins\n"run,1",1,0.5,,2,\nb,1,0.5,2026-01-01T00:00:00Z,,0.25\n');
});

test('CSV: run ids and metric names from the workspace cannot become formulas; negative values stay numbers', () => {
  const csv = metricsToCsv([{ id: '=cmd|"/C calc"!A0', records: [MetricsRecord.parse({ step: 1, epoch: 0, '@SUM(1+1)': -0.5, loss: -2 })] }]);
  assert.equal(csv, `run,step,epoch,time,"'@SUM(1+1)",loss\n"'=cmd|""/C calc""!A0",1,0,,-0.5,-2\n`);
});

test('dashboard protocol accepts known messages and rejects unknown or malformed ones', () => {
  assert.ok(DashboardWebviewMessage.safeParse({ type: 'ready' }).success);
  assert.ok(!DashboardWebviewMessage.safeParse({ type: 'eval', code: 'x' }).success);
  assert.ok(!DashboardWebviewMessage.safeParse({ type: 'exportPng', dataUrl: 'javascript:alert(1)' }).success);
  assert.ok(!DashboardWebviewMessage.safeParse({ type: 'removeRun' }).success);
  assert.ok(DashboardHostMessage.safeParse({ type: 'append', runId: 'r', records: [{ step: 1, epoch: 0, loss: 1 }] }).success);
  assert.ok(!DashboardHostMessage.safeParse({ type: 'append', runId: 'r', records: [{ epoch: 0 }] }).success);
  assert.ok(!DashboardHostMessage.safeParse({ type: 'snapshot', runs: [], extra: 1 }).success);
});

test('tick labels stay readable across magnitudes', () => {
  assert.deepEqual([0, 2e-4, 0.05, 1.23456, 850, 12_345, 3e6].map(formatTick), ['0', '2e-4', '0.05', '1.23', '850', '12.3k', '3e+6']);
});

test('snapshots of long runs are decimated, keeping eval lines and the last train line', () => {
  const recs: { step: number; eval?: boolean }[] = [];
  for (let s = 1; s <= 1000; s++) {
    recs.push({ step: s });
    if (s % 100 === 0) recs.push({ step: s, eval: true });
  }
  const out = decimateRecords(recs, 100, (r) => r.eval === true);
  const train = out.filter((r) => !r.eval);
  assert.ok(train.length <= 101 && train.length >= 99, `${train.length}`);
  assert.equal(out.filter((r) => r.eval).length, 10);
  assert.equal(train.at(-1)!.step, 1000);
  assert.deepEqual(out.map((r) => r.step), [...out.map((r) => r.step)].sort((a, b) => a - b), 'order kept');
  assert.equal(decimateRecords(recs.slice(0, 50), 100, () => false).length, 50, 'short runs untouched');
});

test('loss and reward accuracy are drawn smoothed over their raw series; other metrics as recorded; smoothing 0 is raw', () => {
  const records = [1, 2, 3, 4].map((step) => ({ step, epoch: step / 4, loss: 1 / step, learning_rate: 1e-3, 'rewards/accuracies': step % 2 ? 0.25 : 1 }));
  const acc = metricLines(records, 'rewards/accuracies', 0.5);
  assert.deepEqual(acc.map((l) => l.kind), ['raw', 'smoothed']);
  assert.deepEqual(acc[0].ys, [0.25, 1, 0.25, 1]);
  assert.deepEqual(acc[1].ys, ema([0.25, 1, 0.25, 1], 0.5));
  assert.deepEqual(metricLines(records, 'loss', 0.5).map((l) => l.kind), ['raw', 'smoothed']);
  assert.deepEqual(metricLines(records, 'learning_rate', 0.5).map((l) => l.kind), ['plain']);
  assert.deepEqual(metricLines(records, 'rewards/accuracies', 0).map((l) => l.kind), ['plain']);
  assert.deepEqual(metricLines(records, 'rewards/margins', 0.5), []);
});
