import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES, type RunRecord } from '../../core/runFolder';
import type { MetricsRecord } from '../../core/metrics';
import { appendLineDurable, writeFileAtomic } from '../../core/node/atomicWrite';
import { parseMetricsText } from '../../core/node/runFolderReader';
import { acquireRunLock, removeRunLock } from '../../core/node/runLock';
import { assertNoLinksInside } from '../../core/node/runFolderLinks';
import { escapeControlChars } from '../../core/logLine';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Owns a run folder while a trainer works in it: the lock first (exclusive, proving this process), so
 * readers can tell a live run from a dead one and a second trainer refuses, then run.json status
 * transitions (atomic), metrics.jsonl (append + fsync) and trainer.log. A folder with links inside is
 * refused before anything is written: every write would follow them.
 */
export class RunWriter {
  private constructor(
    readonly dir: string,
    private record: RunRecord,
    private readonly lockToken: string,
  ) {}

  /** Throws (writing nothing) when the folder holds a link or another live trainer owns it (RunLockBusy). */
  static open(dir: string, record: RunRecord): RunWriter {
    fs.mkdirSync(dir, { recursive: true });
    assertNoLinksInside(dir);
    const lock = acquireRunLock(dir);
    const w = new RunWriter(dir, { ...record, pid: process.pid }, lock.token);
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
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${escapeControlChars(message)}`;
    appendLineDurable(path.join(this.dir, RUN_FILES.log), line);
  }

  /** The run is over (completed, failed or cancelled): readers must no longer treat it as live. */
  releaseLock(): void {
    removeRunLock(this.dir, this.lockToken);
  }
}
