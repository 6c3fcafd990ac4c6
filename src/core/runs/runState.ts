import type { Method } from '../preferences/methods';
import { evalMetric, METRIC, type MetricsRecord } from '../metrics';
import type { RunRecord, RunStatus } from '../runFolder';

/** Everything the tree, status bar and dashboard show about one run, derived from its folder. */
export interface RunView {
  id: string;
  status: RunStatus;
  method: Method;
  model: string;
  dataset: string;
  step: number;
  totalSteps: number | undefined;
  lastLoss: number | undefined;
  lastEvalLoss: number | undefined;
  elapsedMs: number | undefined;
  etaMs: number | undefined;
  error: string | undefined;
  /** True when run.json said running but nothing is alive to finish it. */
  orphaned: boolean;
}

/** Running totals of metrics.jsonl so the view never keeps or rescans every record. */
export interface MetricsSummary {
  count: number;
  lastStep: number;
  lastLoss: number | undefined;
  lastEvalLoss: number | undefined;
  minLoss: number | undefined;
  /** [step, epoch ms] of the records that carried a time, to estimate speed from recent steps. */
  recentTimes: [number, number][];
}

export function emptySummary(): MetricsSummary {
  return { count: 0, lastStep: 0, lastLoss: undefined, lastEvalLoss: undefined, minLoss: undefined, recentTimes: [] };
}

// Long enough to hold several checkpoint or eval pauses, so one entering or leaving the window barely moves the ETA.
const RECENT = 100;

/**
 * Folds new records into the summary. Records without a `time` are timed by `observedAt` (when the tail
 * saw them), which is accurate enough for an ETA while a run is followed live.
 */
export function addToSummary(s: MetricsSummary, records: readonly MetricsRecord[], observedAt?: number): MetricsSummary {
  for (const r of records) {
    s.count++;
    s.lastStep = Math.max(s.lastStep, r.step);
    const loss = r[METRIC.loss];
    if (typeof loss === 'number' && Number.isFinite(loss)) {
      s.lastLoss = loss;
      s.minLoss = s.minLoss === undefined ? loss : Math.min(s.minLoss, loss);
    }
    const evalLoss = r[evalMetric(METRIC.loss)];
    if (typeof evalLoss === 'number' && Number.isFinite(evalLoss)) s.lastEvalLoss = evalLoss;
    const t = r.time ? Date.parse(r.time) : observedAt ?? NaN;
    if (Number.isFinite(t) && typeof loss === 'number') {
      s.recentTimes.push([r.step, t]);
      if (s.recentTimes.length > RECENT) s.recentTimes.shift();
    }
  }
  return s;
}

const baseName = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || p;

/**
 * The status a person should see. A run.json left at running/queued whose trainer is gone (killed, machine
 * rebooted) is shown as failed: nothing will ever finish it, and Resume is what helps.
 */
export function effectiveStatus(record: Pick<RunRecord, 'status' | 'pid'>, trainerAlive: boolean): { status: RunStatus; orphaned: boolean } {
  const mayBeLive = record.status === 'running' || (record.status === 'queued' && record.pid !== undefined);
  if (mayBeLive && !trainerAlive) return { status: 'failed', orphaned: true };
  return { status: record.status, orphaned: false };
}

export function runView(record: RunRecord, summary: MetricsSummary, trainerAlive: boolean, now: number): RunView {
  const { status, orphaned } = effectiveStatus(record, trainerAlive);
  const started = record.startedAt ? Date.parse(record.startedAt) : NaN;
  const ended = record.endedAt ? Date.parse(record.endedAt) : NaN;
  const live = status === 'running';
  let elapsedMs: number | undefined;
  if (Number.isFinite(started)) {
    const end = Number.isFinite(ended) ? ended : live ? now : lastTime(summary) ?? started;
    elapsedMs = Math.max(0, end - started);
  }
  const totalSteps = record.totalSteps ?? record.config.steps;
  return {
    id: record.id,
    status,
    method: record.config.method,
    model: baseName(record.config.model),
    dataset: baseName(record.config.data),
    step: summary.lastStep,
    totalSteps,
    lastLoss: summary.lastLoss,
    lastEvalLoss: summary.lastEvalLoss,
    elapsedMs,
    etaMs: live ? estimateRemainingMs(summary, totalSteps, now) : undefined,
    error: orphaned ? record.error ?? 'The trainer process ended without finishing the run (killed or crashed). Resume continues from the last checkpoint.' : record.error,
    orphaned,
  };
}

function lastTime(s: MetricsSummary): number | undefined {
  return s.recentTimes.at(-1)?.[1];
}

/** Remaining time from the pace of the recent steps (the first steps include warm-up and compilation). */
export function estimateRemainingMs(s: MetricsSummary, totalSteps: number | undefined, now: number): number | undefined {
  if (!totalSteps || s.recentTimes.length < 2) return undefined;
  const [firstStep, firstTime] = s.recentTimes[0];
  const [lastStep, lastT] = s.recentTimes[s.recentTimes.length - 1];
  if (lastStep <= firstStep || lastT <= firstTime) return undefined;
  const msPerStep = (lastT - firstTime) / (lastStep - firstStep);
  const remaining = Math.max(0, totalSteps - lastStep) * msPerStep - Math.max(0, now - lastT);
  return Math.max(0, remaining);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatLoss(x: number | undefined): string {
  if (x === undefined) return '—';
  return Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4);
}

/** One-line description used by the tree item and the status bar. */
export function describeProgress(v: RunView): string {
  const parts = [v.totalSteps ? `${v.step}/${v.totalSteps}` : `step ${v.step}`];
  if (v.lastLoss !== undefined) parts.push(`loss ${formatLoss(v.lastLoss)}`);
  if (v.elapsedMs !== undefined) parts.push(formatDuration(v.elapsedMs));
  if (v.etaMs !== undefined) parts.push(`ETA ${formatDuration(v.etaMs)}`);
  return parts.join(' · ');
}

/** Newest first: run ids start with a timestamp, but startedAt wins when both are known. */
export function compareRunsNewestFirst(a: { id: string; startedAt?: string }, b: { id: string; startedAt?: string }): number {
  const ta = a.startedAt ? Date.parse(a.startedAt) : NaN;
  const tb = b.startedAt ? Date.parse(b.startedAt) : NaN;
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export const canCancel = (s: RunStatus) => s === 'running' || s === 'queued';
export const canResume = (s: RunStatus) => s === 'failed' || s === 'cancelled';
