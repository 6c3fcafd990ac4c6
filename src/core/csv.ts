/** Text that is just a number ("-0.5", "+3e-4") or a ;-list of them reads the same as text: nothing to run. */
const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const PLAIN_NUMBER = new RegExp(`^${NUMBER}(?:;${NUMBER})*$`);

/**
 * One CSV cell from text that may come from a dataset, a model or a folder name. A cell starting with
 * = + - @ (or tab / CR, which some spreadsheets skip before reading one of those) is run as a formula by
 * Excel, LibreOffice and Sheets: OWASP's CSV-injection guidance is to prefix it with a single quote so it
 * stays text. Numbers written as numbers are data (a negative loss is not a formula), so only text passes here.
 */
export function csvText(text: string): string {
  const s = /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(s) || s !== text ? `"${s.replace(/"/g, '""')}"` : s;
}
