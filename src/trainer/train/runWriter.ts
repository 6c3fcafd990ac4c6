import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES, type RunRecord } from '../../core/runFolder';
import type { MetricsRecord } from '../../core/metrics';
import { appendLineDurable, writeFileAtomic } from '../../core/node/atomicWrite';
import { parseMetricsText } from '../../core/node/runFolderReader';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Owns a run folder while a trainer works in it: the lock (pid) first, so readers can tell a live run
 * from a dead one, then run.json status transitions (atomic), metrics.jsonl (append + fsync) and
 * trainer.log.
 */
export class RunWriter {
  private constructor(
    readonly dir: string,
    private record: RunRecord,
  ) {}

  static open(dir: string, record: RunRecord): RunWriter {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, RUN_FILES.lock), `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`);
    const w = new RunWriter(dir, { ...record, pid: process.pid });
    w.writeRecord();
    return w;
  }

  get current(): RunRecord {
    return this.record;
  }

  update(patch: Partial<RunRecord>): void {
    this.record = { ...this.record, ...patch };
    this.writeRecord();
  }

  private writeRecord(): void {
    writeFileAtomic(path.join(this.dir, RUN_FILES.runJson), `${JSON.stringify(this.record, null, 2)}\n`);
  }

  appendMetrics(record: MetricsRecord): void {
    appendLineDurable(path.join(this.dir, RUN_FILES.metrics), JSON.stringify(record));
  }

  /** On resume, records after the checkpoint would be repeated: keep only those up to `step`. */
  truncateMetricsAfter(step: number): void {
    const file = path.join(this.dir, RUN_FILES.metrics);
    if (!fs.existsSync(file)) return;
    const { records } = parseMetricsText(fs.readFileSync(file, 'utf8'));
    const kept = records.filter((r) => r.step <= step);
    writeFileAtomic(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  log(level: LogLevel, message: string): void {
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`;
    fs.appendFileSync(path.join(this.dir, RUN_FILES.log), `${line}\n`);
  }

  /** The run is over (completed, failed or cancelled): readers must no longer treat it as live. */
  releaseLock(): void {
    fs.rmSync(path.join(this.dir, RUN_FILES.lock), { force: true });
  }
}
