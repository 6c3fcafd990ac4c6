// File-level entry points over the streaming reader: validateFile (the `clinical-ft validate --json` result) and
// readRecords (what the trainer consumes). Both go through DatasetValidator, so they agree line for line.
import type { Readable } from 'node:stream';
import { readLineBatches, type ReadLinesOptions } from './jsonlReader';
import { DatasetValidator, type ValidatorOptions } from '../datasets/validator';
import { hash53 } from '../datasets/contentHash';
import type { DatasetIssue, ValidationResult } from '../datasets/issues';
import type { DatasetRecord } from '../datasets/records';
import { loadAllowPredicate } from './phiAllowList';

export type ValidateFileOptions = ValidatorOptions & ReadLinesOptions & {
  /** The PHI allow-list to honour; by default the one found from the file's folder upwards (none for a stream). */
  allowList?: string;
};

/** Streams `source` (a path or a readable stream) through the validator. IO errors propagate (exit 2 in the CLI). */
export async function validateFile(source: string | Readable, opts: ValidateFileOptions = {}): Promise<ValidationResult> {
  const phiAllowed = opts.phiAllowed ?? (opts.phi === false ? undefined : loadAllowPredicate(opts.allowList, typeof source === 'string' ? source : undefined));
  const v = new DatasetValidator({ hash: numericHash, ...opts, phiAllowed });
  for await (const batch of readLineBatches(source, opts)) {
    for (const e of batch) {
      if (e.kind === 'line') v.line(e.line, e.text, e.unterminated);
      else if (e.kind === 'invalidUtf8') v.invalidUtf8(e.line, e.column);
      else v.lineTooLong(e.line, e.bytes, opts.maxLineBytes ?? 256 * 1024 * 1024);
    }
  }
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
