// The preview's statistics card: counts, length histogram (tokens or characters), labels, duplicates, PHI.
import type { DatasetIndex } from './datasetIndex';
import type { PreviewStats } from '../protocol/datasetPreview';
import type { TokenLengthsReport } from '../datasets/tokenLengths';
import { FORMAT_LABELS, type RecordFormat } from '../datasets/records';
import { classificationLabels, histogram } from '../datasets/recordSummary';

/** A multi-line label on one table line. */
export const oneLine = (label: string) => label.replace(/\s*\n\s*/g, ' · ');

export type TokenCount = { ok: true; report: TokenLengthsReport } | { ok: false; reason: string };

/** Replaces the index's character lengths with the child's token counts, or says why they stay characters. */
export function applyTokenCount(index: DatasetIndex, counted: TokenCount): PreviewStats {
  if (!counted.ok) return computeStats(index, null, `Token counts unavailable (${counted.reason}); lengths are in characters.`);
  const tokens = new Map(counted.report.lengths);
  const lengths: number[] = [];
  for (const r of index.rows) {
    if (r.error) continue;
    r.length = tokens.get(r.line) ?? r.length;
    lengths.push(r.length);
  }
  index.lengths = lengths;
  index.lengthUnit = 'tokens';
  const { capped, maxChars } = counted.report;
  const note = capped ? `${capped.toLocaleString()} record${capped === 1 ? '' : 's'} longer than ${maxChars.toLocaleString()} characters ${capped === 1 ? 'was' : 'were'} counted on ${capped === 1 ? 'its' : 'their'} first ${maxChars.toLocaleString()} characters (a lower bound).` : null;
  return computeStats(index, counted.report.tokenizer, note);
}

export function computeStats(index: DatasetIndex, tokenizer: string | null, lengthNote: string | null = null): PreviewStats {
  const { result, lengths } = index;
  const sorted = Float64Array.from(lengths).sort();
  const valid = index.rows.filter((r) => !r.error);
  const labels = classificationLabels(valid.map((r) => r.label));
  const phiFindings = [...result.warnings, ...result.errors].filter((w) => w.code.startsWith('phi_'));
  return {
    records: result.records,
    invalid: index.rows.length - valid.length,
    format: result.format,
    formatLabel: result.format ? FORMAT_LABELS[result.format as RecordFormat] : 'unknown format',
    errors: result.errors.length + (result.omittedErrors ?? 0),
    warnings: result.warnings.length + (result.omittedWarnings ?? 0),
    lengthUnit: index.lengthUnit,
    tokenizer,
    lengthNote,
    histogram: histogram(lengths),
    min: sorted.length ? sorted[0] : 0,
    max: sorted.length ? sorted[sorted.length - 1] : 0,
    mean: sorted.length ? lengths.reduce((a, b) => a + b, 0) / sorted.length : 0,
    p95: sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] : 0,
    labels: labels?.map((l) => ({ ...l, label: oneLine(l.label) })) ?? null,
    duplicates: index.duplicateLines.size,
    duplicateLines: [...index.duplicateLines].slice(0, 500),
    phi: phiFindings.length,
    phiFindings: phiFindings.slice(0, 500).map((f) => ({ line: f.line, column: f.column, code: f.code, message: f.message })),
  };
}
