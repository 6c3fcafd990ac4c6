// One streaming pass over a dataset for the preview: per-row byte offsets (records are read back on demand, the
// file is never held in memory), lengths, labels, duplicates, PHI findings and the validation result.
import * as fs from 'node:fs';
import { readLineBatches } from './jsonlReader';
import { numericHash } from './validateFile';
import { DatasetValidator } from '../datasets/validator';
import type { ValidationResult } from '../datasets/issues';
import { recordLabel, recordPreview, recordText } from '../datasets/recordSummary';

export interface IndexedRow {
  line: number;
  offset: number;
  length: number;
  label: string | null;
  error: string | null;
}

export interface DatasetIndex {
  rows: IndexedRow[];
  result: ValidationResult;
  lengths: number[];
  lengthUnit: 'tokens' | 'characters';
  /** line → number of PHI findings / duplicate of an earlier line. */
  phiByLine: Map<number, number>;
  duplicateLines: Set<number>;
}

export interface IndexOptions {
  /** Token count of a text with the selected model's tokenizer; characters when absent. */
  countTokens?: (text: string) => number;
  onProgress?: (rows: number) => void;
  /** Stop early (e.g. the panel closed). */
  cancelled?: () => boolean;
}

export async function indexDataset(file: string, opts: IndexOptions = {}): Promise<DatasetIndex> {
  const v = new DatasetValidator({ maxIssues: 100_000, hash: numericHash });
  const rows: IndexedRow[] = [];
  const lengths: number[] = [];
  for await (const batch of readLineBatches(file, { offsets: true })) {
    if (opts.cancelled?.()) break;
    let sinceYield = 0;
    for (const e of batch) {
      // Yield to the event loop every few hundred records so the extension host stays responsive.
      if (++sinceYield >= 200) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
        if (opts.cancelled?.()) break;
      }
      if (e.kind === 'line') {
        if (/^\s*$/.test(e.text)) continue;
        const before = v.errorCount;
        const record = v.line(e.line, e.text, e.unterminated);
        if (record) {
          const text = recordText(record);
          const length = opts.countTokens ? opts.countTokens(text) : text.length;
          lengths.push(length);
          rows.push({ line: e.line, offset: e.offset ?? 0, length, label: recordLabel(record), error: null });
        } else {
          const err = v.errorCount > before ? (v.errorAt(before)?.message ?? 'invalid record') : 'incomplete last line';
          rows.push({ line: e.line, offset: e.offset ?? 0, length: 0, label: null, error: err });
        }
      } else if (e.kind === 'invalidUtf8') v.invalidUtf8(e.line, e.column);
      else v.lineTooLong(e.line, e.bytes, 256 * 1024 * 1024);
    }
    opts.onProgress?.(rows.length);
    // Yield to the event loop between chunks so the host stays responsive on big files.
    await new Promise((r) => setImmediate(r));
  }
  const result = v.result();
  const phiByLine = new Map<number, number>();
  const duplicateLines = new Set<number>();
  for (const w of [...result.warnings, ...result.errors]) {
    if (w.code.startsWith('phi_')) phiByLine.set(w.line, (phiByLine.get(w.line) ?? 0) + 1);
    if (w.code === 'duplicate_record') duplicateLines.add(w.line);
  }
  return { rows, result, lengths, lengthUnit: opts.countTokens ? 'tokens' : 'characters', phiByLine, duplicateLines };
}

/** Reads the one line starting at byte `offset`, however long it is. */
export async function readLineAt(file: string, offset: number): Promise<string> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const parts: Buffer[] = [];
    let pos = offset;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl >= 0) {
        parts.push(buf.subarray(0, nl));
        break;
      }
      parts.push(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    const text = Buffer.concat(parts).toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  } finally {
    await fh.close();
  }
}

/**
 * Reads the lines starting at `offsets` (ascending, as in an index) with one read when they span at most
 * `maxBytes`; `end` is where the last one's line ends at the latest (the next row's offset or the file size).
 */
export async function readLinesAt(file: string, offsets: number[], end: number, maxBytes = 8 * 1024 * 1024): Promise<string[]> {
  if (offsets.length === 0) return [];
  const base = offsets[0];
  if (end - base > maxBytes) return Promise.all(offsets.map((o) => readLineAt(file, o)));
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(end - base);
    const { bytesRead } = await fh.read(buf, 0, buf.length, base);
    return offsets.map((o) => {
      const from = o - base;
      let to = buf.indexOf(10, from);
      if (to < 0 || to > bytesRead) to = bytesRead;
      const text = buf.subarray(from, to).toString('utf8');
      return text.endsWith('\r') ? text.slice(0, -1) : text;
    });
  } finally {
    await fh.close();
  }
}

export { recordPreview };
