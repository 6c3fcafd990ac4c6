import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../../src/core/runFolder';
import { MetricsRecord } from '../../../src/core/metrics';
import { RunConfig } from '../../../src/core/runConfig';
import {
  addToSummary,
  canCancel,
  canResume,
  compareRunsNewestFirst,
  describeProgress,
  effectiveStatus,
  emptySummary,
  estimateRemainingMs,
  formatDuration,
  runView,
} from '../../../src/core/runs/runState';

const config = RunConfig.parse({ method: 'sft', model: '/models/tiny-llama/', data: '/ws/data/triage.sft.jsonl', steps: 100 });
const record = (patch: Partial<RunRecord> = {}): RunRecord => ({ id: '20261122-080000-sft', config, status: 'running', versions: {}, startedAt: '2026-11-22T08:00:00.000Z', pid: 42, ...patch });
const t0 = Date.parse('2026-11-22T08:00:00.000Z');
const rec = (step: number, loss: number, sec?: number) =>
  MetricsRecord.parse({ step, epoch: step / 50, loss, ...(sec !== undefined ? { time: new Date(t0 + sec * 1000).toISOString() } : {}) });

test('a run.json left at running with no live trainer is shown as failed (orphaned); a live one stays running', () => {
  assert.deepEqual(effectiveStatus({ status: 'running', pid: 1 }, false), { status: 'failed', orphaned: true });
  assert.deepEqual(effectiveStatus({ status: 'running', pid: 1 }, true), { status: 'running', orphaned: false });
  // queued by the host, trainer not spawned yet (no pid): not an orphan
  assert.deepEqual(effectiveStatus({ status: 'queued' }, false), { status: 'queued', orphaned: false });
  assert.deepEqual(effectiveStatus({ status: 'queued', pid: 7 }, false), { status: 'failed', orphaned: true });
  for (const s of ['completed', 'failed', 'cancelled'] as const) assert.equal(effectiveStatus({ status: s }, false).status, s);
});

test('summary tracks last/min loss, eval loss and the last step', () => {
  const s = addToSummary(emptySummary(), [rec(1, 2.5), rec(2, 1.5), { step: 2, epoch: 0, eval_loss: 1.9 }, rec(3, 1.8)]);
  assert.equal(s.count, 4);
  assert.equal(s.lastStep, 3);
  assert.equal(s.lastLoss, 1.8);
  assert.equal(s.minLoss, 1.5);
  assert.equal(s.lastEvalLoss, 1.9);
});

test('non-finite losses do not poison the summary', () => {
  const s = addToSummary(emptySummary(), [rec(1, 2), { step: 2, epoch: 0, loss: null }]);
  assert.equal(s.lastLoss, 2);
});

test('ETA uses the pace of recent steps, not the slow first ones', () => {
  const s = emptySummary();
  // step 1 took 30 s (compilation), then 1 s per step
  addToSummary(s, [rec(1, 2, 30)]);
  for (let i = 2; i <= 40; i++) addToSummary(s, [rec(i, 1, 30 + (i - 1))]);
  const now = t0 + (30 + 39) * 1000;
  const eta = estimateRemainingMs(s, 100, now)!;
  assert.ok(Math.abs(eta - 60_000) < 1, `eta ${eta}`);
  assert.equal(estimateRemainingMs(emptySummary(), 100, now), undefined);
  assert.equal(estimateRemainingMs(s, undefined, now), undefined);
});

test('runView: names, step/total, elapsed for live and finished runs, ETA only while running', () => {
  const s = addToSummary(emptySummary(), [rec(1, 2, 10), rec(2, 1.5, 12), rec(3, 1.2, 14)]);
  const live = runView(record(), s, true, t0 + 20_000);
  assert.equal(live.model, 'tiny-llama');
  assert.equal(live.dataset, 'triage.sft.jsonl');
  assert.equal(live.step, 3);
  assert.equal(live.totalSteps, 100);
  assert.equal(live.elapsedMs, 20_000);
  assert.ok(live.etaMs! > 0);
  assert.match(describeProgress(live), /^3\/100 · loss 1\.200 · 20s · ETA /);
  const done = runView(record({ status: 'completed', endedAt: '2026-11-22T08:01:05.000Z', totalSteps: 3 }), s, false, t0 + 999_000);
  assert.equal(done.elapsedMs, 65_000);
  assert.equal(done.etaMs, undefined);
  const dead = runView(record(), s, false, t0 + 999_000);
  assert.equal(dead.status, 'failed');
  assert.ok(dead.orphaned);
  assert.match(dead.error!, /Resume/);
});

test('formatDuration', () => {
  assert.equal(formatDuration(undefined), '—');
  assert.equal(formatDuration(4_400), '4s');
  assert.equal(formatDuration(65_000), '1m 05s');
  assert.equal(formatDuration(3_600_000 + 120_000), '1h 02m');
});

test('runs sort newest first, by start time when known, else by id', () => {
  const runs = [
    { id: '20261122-080000-sft', startedAt: '2026-11-22T08:00:00Z' },
    { id: '20261122-090000-dpo' },
    { id: '20261122-070000-sft', startedAt: '2026-11-22T09:30:00Z' },
    { id: '20261122-100000-sft' },
  ];
  assert.deepEqual(
    [...runs].sort(compareRunsNewestFirst).map((r) => r.id),
    ['20261122-100000-sft', '20261122-090000-dpo', '20261122-070000-sft', '20261122-080000-sft'],
  );
});

test('which actions a status allows', () => {
  assert.ok(canCancel('running') && canCancel('queued') && !canCancel('completed'));
  assert.ok(canResume('failed') && canResume('cancelled') && !canResume('completed') && !canResume('running'));
});

test('records without a time are timed when observed, so a live run still gets an ETA', () => {
  const s = emptySummary();
  addToSummary(s, [MetricsRecord.parse({ step: 1, epoch: 0, loss: 2 })]);
  assert.equal(s.recentTimes.length, 0, 'backlog without times is not timed');
  addToSummary(s, [MetricsRecord.parse({ step: 2, epoch: 0, loss: 2 })], t0);
  addToSummary(s, [MetricsRecord.parse({ step: 4, epoch: 0, loss: 2 })], t0 + 4000);
  assert.equal(estimateRemainingMs(s, 10, t0 + 4000), 12_000);
});

test('ETA stays steady when checkpoints pause the run every 20 steps (no jump each time one enters or leaves the window)', () => {
  const s = emptySummary();
  let sec = 0;
  const etas: number[] = [];
  for (let step = 1; step <= 160; step++) {
    sec += 1 + (step % 20 === 1 && step > 1 ? 10 : 0); // 1 s per step, +10 s after each checkpoint
    addToSummary(s, [rec(step, 1, sec)]);
    if (step >= 80) etas.push(estimateRemainingMs(s, 400, t0 + sec * 1000)!);
  }
  // True pace is 1.5 s/step; successive estimates (one step apart) move by about one step, never by a third.
  for (let i = 1; i < etas.length; i++) {
    const change = Math.abs(etas[i] - etas[i - 1]) / etas[i - 1];
    assert.ok(change < 0.1, `ETA moved ${(change * 100).toFixed(0)}% in one step (${etas[i - 1]} → ${etas[i]})`);
  }
});
