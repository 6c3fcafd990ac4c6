// File-level entry points over the streaming reader: validateFile (the `clinical-ft validate --json` result) and
// readRecords (what the trainer consumes). Both go through DatasetValidator, so they agree line for line.
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES, readLineBatches, type LineEvent, type ReadLinesOptions } from './jsonlReader';
import { DatasetValidator, type ValidatorOptions } from '../datasets/validator';
import { hash53 } from '../datasets/contentHash';
import type { DatasetIssue, ValidationResult } from '../datasets/issues';
import type { DatasetRecord } from '../datasets/records';
import { loadAllowPredicate } from './phiAllowList';
import { PhiScanPool } from './phiScanPool';
import { PhiScanLookup, scanLines, type PhiLineScan } from '../datasets/phiLineScan';
import { detectPhi } from '../phi/detectors';

export type ValidateFileOptions = ValidatorOptions & ReadLinesOptions & {
  /** The PHI allow-list to honour; by default the one found from the file's folder upwards (none for a stream). */
  allowList?: string;
  /**
   * Run the PHI scan in worker threads started from `script` (the bundled phiScanWorker.js), `threads` of them
   * (0: in this thread). Same result as without; in this thread when the script is missing or no thread starts.
   */
  phiWorkers?: { script: string; threads: number };
};

/** Lines per batch sent to a worker: about 128 KB of text, so messages are few and batches in flight small. */
const BATCH_BYTES = 128 * 1024;
/**
 * Batches queued per worker before this thread scans the next batch itself. This thread also reads and validates,
 * so it should scan only when a worker is well behind: at 2 the one worker on 2 cores stood idle a third of the
 * time while this thread scanned (200 MB bench: 4.7 s; at 4, 3.6 s).
 */
const WORKER_DEPTH = 4;
/** Batches read ahead of the one being validated (128 KB each): bounds memory; the reader (and the file stream) waits beyond. */
const READ_AHEAD = 16;

/** Streams `source` (a path or a readable stream) through the validator. IO errors propagate (exit 2 in the CLI). */
export async function validateFile(source: string | Readable, opts: ValidateFileOptions = {}): Promise<ValidationResult> {
  const phiAllowed = opts.phiAllowed ?? (opts.phi === false ? undefined : loadAllowPredicate(opts.allowList, typeof source === 'string' ? source : undefined));
  const pool = opts.phi !== false && opts.phiWorkers ? PhiScanPool.start(opts.phiWorkers.script, opts.phiWorkers.threads) : undefined;
  if (pool) {
    try {
      return await validateWithPool(source, opts, phiAllowed, pool);
    } finally {
      await pool.close();
    }
  }
  const v = new DatasetValidator({ hash: numericHash, ...opts, phiAllowed });
  for await (const batch of readLineBatches(source, opts)) for (const e of batch) feed(v, e, opts);
  return v.result();
}

function feed(v: DatasetValidator, e: LineEvent, opts: ValidateFileOptions): void {
  if (e.kind === 'line') v.line(e.line, e.text, e.unterminated);
  else if (e.kind === 'invalidUtf8') v.invalidUtf8(e.line, e.column);
  else v.lineTooLong(e.line, e.bytes, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
}

interface Batch {
  events: LineEvent[];
  scan: Promise<PhiLineScan>;
  done: boolean;
}

/**
 * The reader sends batches of lines to the workers and feeds the validator each batch in order once its scan
 * is back, so issues come in the same order as in one thread. When every worker has WORKER_DEPTH batches, this
 * thread scans the next batch itself (so the cores stay busy without a thread more than there are cores), and
 * at most READ_AHEAD batches wait: the reader (and with it the file stream) waits rather than buffer the file.
 */
async function validateWithPool(source: string | Readable, opts: ValidateFileOptions, phiAllowed: ValidatorOptions['phiAllowed'], pool: PhiScanPool): Promise<ValidationResult> {
  let lookup: PhiScanLookup | undefined;
  /** Index of the line being validated among the batch's line events (what the scan was given). */
  let index = 0;
  const v = new DatasetValidator({
    hash: numericHash,
    ...opts,
    phiAllowed,
    detectPhi: (text, _line, format, path) => lookup?.findings(index, format, path) ?? detectPhi(text),
  });
  const queue: Batch[] = [];
  const validate = async (b: Batch) => {
    lookup = new PhiScanLookup(await b.scan);
    index = 0;
    for (const e of b.events) {
      feed(v, e, opts);
      if (e.kind === 'line') index++;
    }
    lookup = undefined;
  };
  let events: LineEvent[] = [];
  let bytes = 0;
  const send = () => {
    const texts = events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
    const first = events[0].line;
    const last = events[events.length - 1].line;
    let b: Batch;
    if (pool.hasRoom(WORKER_DEPTH)) {
      b = { events, scan: pool.scan(texts, first === last ? `line ${first}` : `lines ${first}-${last}`), done: false };
      // Awaited in order later; a failure meanwhile must not count as unhandled.
      b.scan.then(
        () => (b.done = true),
        () => (b.done = true),
      );
    } else b = { events, scan: Promise.resolve(scanLines(texts)), done: true };
    queue.push(b);
    events = [];
    bytes = 0;
  };
  for await (const batch of readLineBatches(source, opts)) {
    for (const e of batch) {
      events.push(e);
      if (e.kind === 'line') bytes += e.text.length;
    }
    if (bytes >= BATCH_BYTES) send();
    while (queue.length && (queue[0].done || queue.length >= READ_AHEAD)) await validate(queue.shift()!);
  }
  if (events.length) send();
  while (queue.length) await validate(queue.shift()!);
  return v.result();
}

/**
 * A 53-bit number per text: keys of 8 bytes instead of strings keep duplicate detection small. A JS hash
 * (cyrb53) is twice as fast as 48 bits of SHA-1 through node:crypto on record-sized texts, and with 53 bits a
 * false "same content" warning is about 1 in 200 for a 10-million-record file (SHA-1's 48 bits: 1 in 6).
 */
export const numericHash = hash53;

/** A record that fails validation while reading for training; the message names file, line, column and field. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly issue: DatasetIssue,
  ) {
    super(`${file}:${issue.line}:${issue.column}: ${issue.field ? `${issue.field}: ` : ''}${issue.message}`);
  }
}

export interface ReadRecordsOptions {
  format?: 'auto' | 'sft' | 'dpo' | 'kto';
  /** Skip invalid lines instead of throwing DatasetError at the first one. */
  skipInvalid?: boolean;
}

/**
 * Yields every valid record with its 1-based line, streaming. A torn (unterminated, unparsable) last line is
 * skipped; any other invalid line throws DatasetError unless skipInvalid. PHI is not scanned here — run
 * validateFile first when PHI findings must block training.
 */
export async function* readRecords(file: string, opts: ReadRecordsOptions = {}): AsyncGenerator<{ line: number; record: DatasetRecord }> {
  // maxIssues 1 would hide later errors from lastError; keep a few so the first of each line is listed.
  const v = new DatasetValidator({ format: opts.format ?? 'auto', phi: false, maxIssues: opts.skipInvalid ? 1 : 10_000, hash: numericHash });
  for await (const batch of readLineBatches(file)) {
    const ready: { line: number; record: DatasetRecord }[] = [];
    for (const e of batch) {
      const before = v.errorCount;
      if (e.kind === 'line') {
        const record = v.line(e.line, e.text, e.unterminated);
        if (record) ready.push({ line: e.line, record });
      } else if (e.kind === 'invalidUtf8') v.invalidUtf8(e.line, e.column);
      else v.lineTooLong(e.line, e.bytes, 256 * 1024 * 1024);
      if (!opts.skipInvalid && v.errorCount > before) {
        yield* ready;
        throw new DatasetError(file, v.errorAt(before) ?? { line: e.line, column: 1, field: null, code: 'json_syntax', message: 'invalid record' });
      }
    }
    yield* ready;
  }
}
