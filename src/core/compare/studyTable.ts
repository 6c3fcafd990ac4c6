// The demo's result table in the shape of the study it reproduces (Savage et al., JMIR 2025): one row
// per model (base, SFT, DPO), one column per task metric, each cell the values over seeds.
import { csvLine, formatNumber, markdownTable } from './tableText';

export interface StudyColumn {
  /** Task id, e.g. "uti". */
  task: string;
  /** Metric key, e.g. "macroF1", "accuracy", "rougeL". */
  metric: string;
  /** Column heading, e.g. "UTI classification F1". */
  label: string;
}

export interface StudyRow {
  model: string;
  /** cells[i] holds one value per seed for columns[i]; empty when the model was not evaluated on it. */
  cells: number[][];
}

export interface StudyTable {
  columns: StudyColumn[];
  rows: StudyRow[];
}

export interface Summary {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  sd: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), n };
}

export function formatSummary(s: Summary | undefined): string {
  if (!s) return '—';
  return s.n > 1 ? `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)} (n=${s.n})` : s.mean.toFixed(3);
}

export function studyMarkdown(table: StudyTable): string {
  return markdownTable(
    ['Model', ...table.columns.map((c) => c.label)],
    table.rows.map((r) => [r.model, ...r.cells.map((v) => formatSummary(summarize(v)))]),
  );
}

/** Long format, one line per model × metric, with every seed's value so nothing is lost to the summary. */
export function studyCsv(table: StudyTable): string {
  const lines = [csvLine(['model', 'task', 'metric', 'label', 'mean', 'sd', 'min', 'max', 'n', 'values'])];
  for (const row of table.rows) {
    row.cells.forEach((values, i) => {
      const c = table.columns[i];
      const s = summarize(values);
      lines.push(csvLine([row.model, c.task, c.metric, c.label, s?.mean, s?.sd, s?.min, s?.max, s?.n ?? 0, values.map(formatNumber).join(';')]));
    });
  }
  return lines.join('\n') + '\n';
}

export interface Comparison {
  column: StudyColumn;
  better: string;
  worse: string;
  /** mean(better) − mean(worse). */
  difference: number;
  /** Largest max−min range over seeds of the two models: the run-to-run spread the difference must beat. */
  spread: number;
  /** difference > spread (and > 0). */
  clear: boolean;
}

/** How `better` compares with `worse` on one column; undefined when either lacks values. */
export function compareRows(table: StudyTable, better: string, worse: string, columnIndex: number): Comparison | undefined {
  const a = table.rows.find((r) => r.model === better)?.cells[columnIndex];
  const b = table.rows.find((r) => r.model === worse)?.cells[columnIndex];
  const sa = a && summarize(a);
  const sb = b && summarize(b);
  if (!sa || !sb) return undefined;
  const difference = sa.mean - sb.mean;
  const spread = Math.max(sa.max - sa.min, sb.max - sb.min);
  return { column: table.columns[columnIndex], better, worse, difference, spread, clear: difference > 0 && difference > spread };
}
