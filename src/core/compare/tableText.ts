// Markdown and CSV cells that survive any dataset text: pipes and newlines in markdown, quotes and formulas in CSV.
import { csvText } from '../csv';

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? formatNumber(value) : csvText(value);
}

export function csvLine(cells: (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

export function markdownCell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Numbers in files keep 4 decimals: enough to compare, short enough to read. */
export function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}
