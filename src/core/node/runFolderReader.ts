import * as fs from 'node:fs';
import * as path from 'node:path';
import { MetricsRecord } from '../metrics';
import { RUN_FILES, RunRecord } from '../runFolder';
import { readSmallFile, writeFileAtomic } from './atomicWrite';
import { isRunAlive, lockOwnerState, readRunLock, removeRunLock } from './runLock';

export { isRunAlive, readRunLock } from './runLock';

/** run.json holds a config and a few fields; anything larger is not one. */
const MAX_RUN_JSON_BYTES = 4 * 2 ** 20;

function mayBeLive(record: RunRecord): boolean {
  return record.status === 'running' || (record.status === 'queued' && record.pid !== undefined);
}

function parseRunJson(file: string): { ok: true; record: RunRecord } | { ok: false; error: string } {
  let raw: unknown;
  try {
    const text = readSmallFile(file, MAX_RUN_JSON_BYTES);
    if (text === undefined) {
      return { ok: false, error: `${file}: missing, not a regular file (a link or a device is refused), or larger than ${MAX_RUN_JSON_BYTES / 2 ** 20} MB` };
    }
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${file}: ${(e as Error).message}` };
  }
  const parsed = RunRecord.safeParse(raw);
  if (!parsed.success) return { ok: false, error: `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  return { ok: true, record: parsed.data };
}

export type RunReadResult = { ok: true; record: RunRecord; fixedUp: boolean } | { ok: false; error: string };

/**
 * Reads run.json. A run still marked running (or queued with a pid) whose process is gone died without
 * saying so (SIGKILL, power loss): it is rewritten as failed so every reader agrees.
 */
export function readRunRecord(dir: string, opts: { fixUp?: boolean } = {}): RunReadResult {
  const file = path.join(dir, RUN_FILES.runJson);
  const first = parseRunJson(file);
  if (!first.ok) return first;
  if (!mayBeLive(first.record) || isRunAlive(dir)) return { ok: true, record: first.record, fixedUp: false };
  // A trainer writes its final status and then exits: it may have done both between the read above and the
  // liveness check. Read again now that it is known to be gone, so a clean ending is never marked failed.
  const settled = parseRunJson(file);
  if (!settled.ok) return settled;
  const record = settled.record;
  if (!mayBeLive(record)) return { ok: true, record, fixedUp: false };
  const lock = readRunLock(dir);
  const pid = lock?.pid ?? record.pid;
  const fixed: RunRecord = {
    ...record,
    status: 'failed',
    endedAt: record.endedAt ?? new Date().toISOString(),
    error: record.error ?? `The trainer process${pid ? ` (pid ${pid})` : ''} ended without finishing the run (killed or crashed).${record.lastCheckpoint !== undefined ? ` Resume from checkpoint step ${record.lastCheckpoint} with --resume.` : ''}`,
  };
  if (opts.fixUp !== false) {
    try {
      writeFileAtomic(file, `${JSON.stringify(fixed, null, 2)}\n`);
      // Only the lock judged dead above: a trainer that took the folder since then keeps its own.
      if (lock && lockOwnerState(lock) === 'gone') removeRunLock(dir, lock.token);
    } catch {
      // A read-only folder still reads as failed; it just is not rewritten.
    }
  }
  return { ok: true, record: fixed, fixedUp: true };
}

export interface MetricsReadResult {
  records: MetricsRecord[];
  /** Lines that did not parse, other than a torn last line (1-based line numbers). */
  badLines: number[];
  /** The last line was cut off mid-write (a crash); it is ignored. */
  tornTail: boolean;
  /** Byte length of the complete lines read, for tailing from there. */
  bytesRead: number;
}

/** Parses metrics.jsonl text; an unterminated or unparsable last line is a torn write, not an error. */
export function parseMetricsText(text: string, firstLine = 1): MetricsReadResult {
  const records: MetricsRecord[] = [];
  const badLines: number[] = [];
  const lastNewline = text.lastIndexOf('\n');
  const complete = lastNewline < 0 ? '' : text.slice(0, lastNewline);
  const tail = text.slice(lastNewline + 1);
  const lines = complete.length ? complete.split('\n') : [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = MetricsRecord.safeParse(JSON.parse(line));
      if (r.success) records.push(r.data);
      else badLines.push(firstLine + i);
    } catch {
      badLines.push(firstLine + i);
    }
  });
  let tornTail = false;
  if (tail.trim()) {
    // A complete record with its newline lost still counts; anything else is a torn write.
    try {
      const r = MetricsRecord.safeParse(JSON.parse(tail));
      if (r.success) records.push(r.data);
      else tornTail = true;
    } catch {
      tornTail = true;
    }
  }
  return { records, badLines, tornTail, bytesRead: Buffer.byteLength(lastNewline < 0 ? '' : text.slice(0, lastNewline + 1), 'utf8') };
}

export function readMetrics(dir: string): MetricsReadResult {
  const file = path.join(dir, RUN_FILES.metrics);
  if (!fs.existsSync(file)) return { records: [], badLines: [], tornTail: false, bytesRead: 0 };
  return parseMetricsText(fs.readFileSync(file, 'utf8'));
}
