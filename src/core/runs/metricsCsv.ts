import { csvText } from '../csv';
import type { MetricsRecord } from '../metrics';

const FIRST = ['run', 'step', 'epoch', 'time'];

/** Long-format CSV of one or more runs: one row per metrics line, one column per metric name seen. */
export function metricsToCsv(runs: readonly { id: string; records: readonly MetricsRecord[] }[]): string {
  const names = new Set<string>();
  for (const r of runs) for (const rec of r.records) for (const k of Object.keys(rec)) if (!FIRST.includes(k)) names.add(k);
  const columns = [...FIRST, ...[...names].sort()];
  const rows = [columns.map(csvCell).join(',')];
  for (const r of runs) {
    for (const rec of r.records) {
      const row = rec as Record<string, unknown>;
      rows.push(columns.map((c) => csvCell(c === 'run' ? r.id : row[c])).join(','));
    }
  }
  return rows.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  // Run ids and metric names come from folder and file contents: text, neutralised; values are numbers.
  return typeof v === 'number' ? String(v) : csvText(String(v));
}
