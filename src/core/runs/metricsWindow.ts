import type { MetricsRecord } from '../metrics';

export const isEvalRecord = (r: MetricsRecord): boolean => Object.keys(r).some((k) => k.startsWith('eval_'));

/** Train records kept per run: more than a chart has pixels for. */
export const WINDOW_MAX_TRAIN = 20_000;
/** Eval records kept per run (one every eval-every steps: few, each matters). */
export const WINDOW_MAX_EVAL = 5_000;

interface Kept {
  record: MetricsRecord;
  /** Index among train records (-1 for eval records). */
  train: number;
}

/**
 * The metrics of one run as the host keeps them: bounded however long metrics.jsonl grows. Every train record
 * whose index is a multiple of `stride` is kept; when more than `maxTrain` are kept the stride doubles and
 * every other one goes, so the history stays evenly spread over the whole run. The latest record is always
 * there (the tree and status bar show it). Eval records are thinned the same way past `maxEval`.
 */
export class MetricsWindow {
  private kept: Kept[] = [];
  private trainSeen = 0;
  private stride = 1;
  private trainKept = 0;
  private evalSeen = 0;
  private evalStride = 1;
  private evalKept = 0;
  private latest: Kept | undefined;
  /** Bumped whenever kept records were dropped: a view built from earlier deltas must start afresh. */
  thinnings = 0;

  constructor(
    readonly maxTrain = WINDOW_MAX_TRAIN,
    readonly maxEval = WINDOW_MAX_EVAL,
  ) {}

  /** Adds records in file order; returns those kept (what a live view should append). */
  push(records: readonly MetricsRecord[]): MetricsRecord[] {
    const added: MetricsRecord[] = [];
    for (const record of records) {
      if (isEvalRecord(record)) {
        if (this.evalSeen++ % this.evalStride !== 0) continue;
        this.kept.push({ record, train: -1 });
        added.push(record);
        if (++this.evalKept > this.maxEval) this.thinEval();
        continue;
      }
      const index = this.trainSeen++;
      const entry = { record, train: index };
      if (index % this.stride !== 0) {
        this.latest = entry;
        continue;
      }
      this.latest = undefined;
      this.kept.push(entry);
      added.push(record);
      if (++this.trainKept > this.maxTrain) this.thinTrain();
    }
    return added;
  }

  /** The kept records in file order, ending with the latest train record. */
  records(): MetricsRecord[] {
    const out = this.kept.map((k) => k.record);
    if (this.latest) out.push(this.latest.record);
    return out;
  }

  get size(): number {
    return this.kept.length + (this.latest ? 1 : 0);
  }

  /** Train records seen in total (kept or not). */
  get trainCount(): number {
    return this.trainSeen;
  }

  clear(): void {
    this.kept = [];
    this.trainSeen = this.trainKept = this.evalSeen = this.evalKept = 0;
    this.stride = this.evalStride = 1;
    this.latest = undefined;
    this.thinnings++;
  }

  private thinTrain(): void {
    this.stride *= 2;
    this.kept = this.kept.filter((k) => k.train < 0 || k.train % this.stride === 0);
    this.trainKept = this.kept.filter((k) => k.train >= 0).length;
    this.thinnings++;
  }

  private thinEval(): void {
    this.evalStride *= 2;
    let i = 0;
    this.kept = this.kept.filter((k) => k.train >= 0 || i++ % 2 === 0);
    this.evalKept = this.kept.filter((k) => k.train < 0).length;
    this.thinnings++;
  }
}
