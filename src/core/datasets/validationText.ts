// Human-readable rendering of a validation result (the CLI without --json): file:line:column, like compilers.
import type { ValidationResult } from './issues';
import { FORMAT_LABELS } from './records';

export function formatValidationText(file: string, r: ValidationResult): string {
  const lines: string[] = [];
  const row = (sev: string, i: ValidationResult['errors'][number]) =>
    `${file}:${i.line}:${i.column}: ${sev} [${i.code}]${i.field ? ` ${i.field}:` : ''} ${i.message}`;
  for (const e of r.errors) lines.push(row('error', e));
  for (const w of r.warnings) lines.push(row('warning', w));
  const errors = r.errors.length + (r.omittedErrors ?? 0);
  const warnings = r.warnings.length + (r.omittedWarnings ?? 0);
  if (r.omittedErrors || r.omittedWarnings) lines.push(`(${r.omittedErrors ?? 0} more errors and ${r.omittedWarnings ?? 0} more warnings not listed)`);
  const format = r.format ? FORMAT_LABELS[r.format] : 'unknown format';
  lines.push(`${file}: ${r.records} valid record${r.records === 1 ? '' : 's'}, ${format}; ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} — ${errors ? 'INVALID' : 'valid'}`);
  return `${lines.join('\n')}\n`;
}
