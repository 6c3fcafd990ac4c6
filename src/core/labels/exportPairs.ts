import { parsePrefsLine, splitLines, type Label } from './prefsRecord';

/** Label → DPO pair export: `{"prompt","chosen","rejected"}` lines ready for a DPO run. */

export interface ExportSummary {
  records: number;
  exported: number;
  /** Labeled "B": exported with the candidates swapped. */
  swapped: number;
  ties: number;
  bothBad: number;
  unlabeled: number;
  /** Lines that are not valid preference records (1-based line numbers with reasons). */
  malformed: { line: number; error: string }[];
}

export interface ExportResult {
  lines: string[];
  summary: ExportSummary;
}

/**
 * What a labeled candidate pair means for DPO — one rule for the export and for training on a labeled file:
 * A or B preferred → a pair (B swapped into chosen); tie, both bad or unlabeled → no pair.
 */
export function preferredPair<T>(a: T, b: T, label: Label | undefined): { chosen: T; rejected: T } | undefined {
  if (label === 'A') return { chosen: a, rejected: b };
  if (label === 'B') return { chosen: b, rejected: a };
  return undefined;
}

export function exportLabeledPairs(text: string): ExportResult {
  const summary: ExportSummary = { records: 0, exported: 0, swapped: 0, ties: 0, bothBad: 0, unlabeled: 0, malformed: [] };
  const lines: string[] = [];
  splitLines(text).forEach((raw, i) => {
    const rec = parsePrefsLine(raw, i);
    if (rec.kind === 'blank') return;
    if (rec.kind === 'malformed') {
      summary.malformed.push({ line: i + 1, error: rec.error });
      return;
    }
    if (rec.kind === 'other') {
      summary.malformed.push({ line: i + 1, error: 'no "chosen"/"rejected" candidates' });
      return;
    }
    summary.records++;
    if (rec.label === undefined) summary.unlabeled++;
    else if (rec.label === 'tie') summary.ties++;
    else if (rec.label === 'both_bad') summary.bothBad++;
    else {
      const { chosen, rejected } = preferredPair(rec.a, rec.b, rec.label)!;
      if (rec.label === 'B') summary.swapped++;
      const out = {
        ...(rec.id !== undefined ? { id: rec.id } : {}),
        ...(rec.prompt !== undefined ? { prompt: rec.prompt } : {}),
        chosen,
        rejected,
      };
      lines.push(JSON.stringify(out));
      summary.exported++;
    }
  });
  return { lines, summary };
}

/** The export file's text: one pair per line, newline-terminated (what the export writes and what the improve flow checks an export against). */
export function exportedFileText(lines: string[]): string {
  return lines.join('\n') + '\n';
}

export function formatExportSummary(s: ExportSummary): string {
  const parts = [`${s.exported} pair${s.exported === 1 ? '' : 's'} exported of ${s.records} records`];
  if (s.swapped) parts.push(`${s.swapped} with B preferred (swapped)`);
  parts.push(`${s.ties} tie${s.ties === 1 ? '' : 's'} and ${s.bothBad} both-bad excluded`, `${s.unlabeled} unlabeled`);
  if (s.malformed.length) parts.push(`${s.malformed.length} invalid line${s.malformed.length === 1 ? '' : 's'} skipped (first: line ${s.malformed[0].line}, ${s.malformed[0].error})`);
  return parts.join(', ');
}

/** The default export file beside the labeled one: x.prefs.jsonl → x.dpo.jsonl. */
export function exportFileName(input: string): string {
  if (/\.prefs\.jsonl$/i.test(input)) return input.replace(/\.prefs\.jsonl$/i, '.dpo.jsonl');
  if (/\.jsonl$/i.test(input)) return input.replace(/\.jsonl$/i, '.labeled.dpo.jsonl');
  return `${input}.dpo.jsonl`;
}
