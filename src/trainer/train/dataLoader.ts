import { readsKind } from '../../core/preferences/methods';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { detectFormat, FORMAT_LABELS, FORMAT_SCHEMAS, kindOf, normalizeRecord, type DpoRecord, type RecordFormat, type SftRecord, type UnpairedRecord } from '../../core/datasets/records';
import { unpairedFromLabel } from '../../core/labels/unpairedLabels';
import { validateFile } from '../../core/node/validateFile';
import { Label, LABELS } from '../../core/labels/prefsRecord';
import { preferredPair } from '../../core/labels/exportPairs';

/** Bad training data: every message names the file, line and field at fault. */
export class DataError extends Error {}

export type LoadedRecords =
  | { kind: 'sft'; records: { line: number; record: SftRecord; raw: Record<string, unknown> }[]; formats: Set<RecordFormat> }
  | {
      kind: 'dpo';
      records: { line: number; record: DpoRecord; raw: Record<string, unknown> }[];
      formats: Set<RecordFormat>;
      /** Set when the file holds preference labels (a *.prefs.jsonl or any record with meta.label). */
      preferences?: PreferenceSummary;
    }
  | {
      kind: 'kto';
      records: { line: number; record: UnpairedRecord; raw: Record<string, unknown> }[];
      formats: Set<RecordFormat>;
      /** Set when the file held pairs, labeled or not, that were unpaired for KTO. */
      unpaired?: UnpairedSummary;
    };

/** How the pairs of a file were turned into KTO examples. */
export interface UnpairedSummary {
  records: number;
  desirable: number;
  undesirable: number;
  ties: number;
  bothBad: number;
  unlabeled: number;
}

export function formatUnpairedSummary(file: string, u: UnpairedSummary): string {
  return `${file}: pairs unpaired for KTO — ${u.desirable} desirable and ${u.undesirable} undesirable examples from ${u.records} records (${u.ties} ties as two desirable, ${u.bothBad} both bad as two undesirable); skipped ${u.unlabeled} unlabeled`;
}

/** How the records of a labeled preference file were turned into DPO pairs. */
export interface PreferenceSummary {
  records: number;
  pairs: number;
  swapped: number;
  ties: number;
  bothBad: number;
  unlabeled: number;
}

export function formatPreferenceSummary(file: string, p: PreferenceSummary): string {
  return `${file}: preference labels applied — ${p.pairs} pairs from ${p.records} records (${p.swapped} with B preferred, swapped); excluded ${p.ties} ties, ${p.bothBad} both bad, ${p.unlabeled} unlabeled`;
}

type DpoRow = { line: number; record: DpoRecord; raw: Record<string, unknown> };
type KtoRow = { line: number; record: UnpairedRecord; raw: Record<string, unknown> };

const labelOf = (raw: Record<string, unknown>): unknown => {
  const meta = raw.meta;
  return meta && typeof meta === 'object' ? (meta as Record<string, unknown>).label : undefined;
};

/**
 * The annotator labels of a pair file, one per row that has a valid one or none; an invalid label is a located
 * problem and its row is left out. `labeled`: a *.prefs.jsonl, or any row carries meta.label.
 */
function readLabels(file: string, rows: DpoRow[], problem: (line: number, msg: string) => void): { labeled: boolean; rows: { row: DpoRow; label?: Label }[] } {
  const labeled = /\.prefs\.jsonl$/i.test(file) || rows.some((r) => labelOf(r.raw) !== undefined);
  const out: { row: DpoRow; label?: Label }[] = [];
  for (const row of rows) {
    const raw = labelOf(row.raw);
    const parsed = Label.safeParse(raw);
    if (raw !== undefined && !parsed.success) {
      problem(row.line, `field "meta.label" must be one of ${LABELS.join(', ')} (got ${JSON.stringify(raw)})`);
      continue;
    }
    out.push(parsed.success ? { row, label: parsed.data } : { row });
  }
  return { labeled, rows: out };
}

/**
 * KTO from pairs: a labeled file follows the labels (unpairedFromLabel), a plain pair file makes chosen desirable and
 * rejected undesirable (TRL's unpair_preference_dataset).
 */
function unpairForKto(file: string, rows: DpoRow[], problem: (line: number, msg: string) => void): { rows: KtoRow[]; summary: UnpairedSummary } {
  const read = readLabels(file, rows, problem);
  const summary: UnpairedSummary = { records: rows.length, desirable: 0, undesirable: 0, ties: 0, bothBad: 0, unlabeled: 0 };
  const out: KtoRow[] = [];
  for (const { row, label: given } of read.rows) {
    const label = read.labeled ? given : 'A';
    if (label === 'tie') summary.ties++;
    if (label === 'both_bad') summary.bothBad++;
    const sides = unpairedFromLabel(row.record.chosen, row.record.rejected, label);
    if (sides.length === 0) summary.unlabeled++;
    for (const s of sides) {
      if (s.desirable) summary.desirable++;
      else summary.undesirable++;
      const { kind: _k, format: _f, chosen: _c, rejected: _r, ...rest } = row.record;
      out.push({ line: row.line, raw: row.raw, record: { ...rest, kind: 'kto', format: 'unpaired_preference', completion: s.completion, label: s.desirable } });
    }
  }
  return { rows: out, summary };
}

/**
 * A labeled preference file stores candidate A in `chosen` and B in `rejected` whatever the label says; train
 * on what the annotator preferred, never on the storage order (exportLabeledPairs follows the same rule).
 */
function applyPreferenceLabels(file: string, rows: DpoRow[], problem: (line: number, msg: string) => void): { rows: DpoRow[]; summary?: PreferenceSummary } {
  const read = readLabels(file, rows, problem);
  if (!read.labeled) return { rows };
  const summary: PreferenceSummary = { records: rows.length, pairs: 0, swapped: 0, ties: 0, bothBad: 0, unlabeled: 0 };
  const kept: DpoRow[] = [];
  for (const { row, label } of read.rows) {
    const pair = preferredPair(row.record.chosen, row.record.rejected, label);
    if (!pair) {
      if (label === 'tie') summary.ties++;
      else if (label === 'both_bad') summary.bothBad++;
      else summary.unlabeled++;
      continue;
    }
    if (label === 'B') summary.swapped++;
    summary.pairs++;
    kept.push({ ...row, record: { ...row.record, ...pair } });
  }
  return { rows: kept, summary };
}

const MAX_REPORTED = 10;

/**
 * Validates a JSONL dataset with the dataset validator, refusing the whole file with up to ten located
 * problems, then streams its records (kept raw: alpaca stays alpaca, extra fields such as "label" stay).
 * The schema check below is a second line of defence with the same schemas.
 */
export async function loadRecords(file: string, method: 'sft' | 'dpo' | 'kto', gate: { phiAsErrors?: boolean } = {}): Promise<LoadedRecords> {
  if (!fs.existsSync(file)) throw new DataError(`${file}: file not found`);
  // The dataset validator (the same as `clinical-ft validate`) decides what is an error, with columns; with the
  // PHI gate on, a possible identifier is one (its message names kind and position, never the text).
  const phi = gate.phiAsErrors === true;
  const validation = await validateFile(file, { format: method, phi, phiAsErrors: phi, maxIssues: MAX_REPORTED });
  if (validation.errors.length > 0) {
    const total = validation.errors.length + (validation.omittedErrors ?? 0);
    const lines = validation.errors.map((i) => `${file}:${i.line}:${i.column}: ${i.field ? `field "${i.field}": ` : ''}${i.message}`);
    const more = total > lines.length ? `\n… and ${total - lines.length} more` : '';
    throw new DataError(`${file} has ${total} problem${total === 1 ? '' : 's'} (run clinical-ft validate ${file}):\n${lines.join('\n')}${more}`);
  }
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (line: number, msg: string) => {
    problemCount++;
    if (problems.length < MAX_REPORTED) problems.push(`${file}:${line}: ${msg}`);
  };
  const records: { line: number; record: SftRecord | DpoRecord | UnpairedRecord; raw: Record<string, unknown> }[] = [];
  const formats = new Set<RecordFormat>();
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      problem(line, `not valid JSON (${(e as Error).message})`);
      continue;
    }
    const format = detectFormat(value);
    if (!format) {
      problem(line, 'record matches no dataset format (expected prompt/completion, messages, text, instruction/output, or chosen/rejected)');
      continue;
    }
    if (!readsKind(method, kindOf(format))) {
      problem(line, `${FORMAT_LABELS[format]} record, but the method trains on ${method === 'sft' ? 'SFT' : method === 'dpo' ? 'preference pair' : 'KTO (unpaired or pair)'} records`);
      continue;
    }
    const parsed = FORMAT_SCHEMAS[format].safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problem(line, `field "${issue.path.join('.') || '(record)'}": ${issue.message}`);
      continue;
    }
    formats.add(format);
    records.push({ line, record: normalizeRecord(format, value as Record<string, unknown>) as SftRecord | DpoRecord | UnpairedRecord, raw: value as Record<string, unknown> });
  }
  const preferences = method === 'dpo' ? applyPreferenceLabels(file, records as DpoRow[], problem) : undefined;
  // The validator allows one format per file: pairs (to unpair) or unpaired records, never both.
  const pairs = records.filter((r) => r.record.kind === 'dpo') as DpoRow[];
  const unpaired = method === 'kto' && pairs.length > 0 ? unpairForKto(file, pairs, problem) : undefined;
  if (problemCount > 0) {
    const more = problemCount > problems.length ? `\n… and ${problemCount - problems.length} more` : '';
    throw new DataError(`${file} has ${problemCount} problem${problemCount === 1 ? '' : 's'}:\n${problems.join('\n')}${more}`);
  }
  if (records.length === 0) throw new DataError(`${file}: no records`);
  if (preferences?.summary && preferences.rows.length === 0) {
    throw new DataError(`${formatPreferenceSummary(file, preferences.summary)}; nothing left to train on. Label pairs A or B in the Preference Labeler first.`);
  }
  if (method === 'kto') {
    const rows = unpaired ? unpaired.rows : (records as unknown as KtoRow[]);
    if (rows.length === 0) throw new DataError(`${formatUnpairedSummary(file, unpaired!.summary)}; nothing left to train on. Label pairs in the Preference Labeler first.`);
    return { kind: 'kto', records: rows, formats, ...(unpaired ? { unpaired: unpaired.summary } : {}) };
  }
  return method === 'sft'
    ? { kind: 'sft', records: records as { line: number; record: SftRecord; raw: Record<string, unknown> }[], formats }
    : { kind: 'dpo', records: preferences!.rows, formats, ...(preferences!.summary ? { preferences: preferences!.summary } : {}) };
}
