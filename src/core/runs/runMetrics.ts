import type { MetricsRecord } from '../metrics';
import { MetricsTail, type TailSource } from './metricsTail';
import { MetricsWindow } from './metricsWindow';
import { addToSummary, emptySummary, type MetricsSummary } from './runState';

/** Bytes of metrics.jsonl read per step; the reader yields to the event loop between steps. */
export const READ_BUDGET_BYTES = 4 << 20;

export interface MetricsRead {
  /** Records read (kept or not). */
  count: number;
  /** Records the window kept, for a live view to append (empty when `thinned`). */
  appended: MetricsRecord[];
  /** The file shrank or was replaced: everything before is void. */
  reset: boolean;
  /** The window dropped records: a view built from deltas must take a fresh snapshot. */
  thinned: boolean;
}

/**
 * One run's metrics.jsonl as the host follows it: a running summary of every record (tree, status bar) and a
 * bounded window of them (charts). Memory is the window's and one line's, never the file's.
 */
export class RunMetrics {
  readonly window = new MetricsWindow();
  summary: MetricsSummary = emptySummary();
  private readonly tail: MetricsTail;

  constructor(source: TailSource) {
    this.tail = new MetricsTail(source);
  }

  /** Bytes held for an incomplete last line (bounded by MAX_METRICS_LINE_BYTES). */
  get pendingBytes(): number {
    return this.tail.pendingBytes;
  }

  /**
   * Reads what the file gained, a few MB at a time. `observedAt`: when records without a time were seen
   * (undefined for a first read, which is backlog). `final`: the run is over, so a last line without its
   * newline is worth a try.
   */
  async read(opts: { observedAt?: number; final?: boolean; yieldBetween?: () => Promise<void> } = {}): Promise<MetricsRead> {
    const thinningsBefore = this.window.thinnings;
    const appended: MetricsRecord[] = [];
    let reset = false;
    let count = 0;
    for (;;) {
      const polled = await this.tail.poll(READ_BUDGET_BYTES);
      if (!polled.behind && opts.final) polled.records.push(...this.tail.flushPending().records);
      if (polled.reset) {
        reset = true;
        appended.length = 0;
        this.window.clear();
        this.summary = emptySummary();
      }
      count += polled.records.length;
      addToSummary(this.summary, polled.records, opts.observedAt);
      appended.push(...this.window.push(polled.records));
      if (!polled.behind) break;
      await opts.yieldBetween?.();
    }
    const thinned = !reset && this.window.thinnings !== thinningsBefore;
    return { count, appended: thinned ? [] : appended, reset, thinned };
  }
}
