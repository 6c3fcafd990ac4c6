import type { EnvironmentReport } from './protocol/environment';
import type { EnvironmentView } from './protocol/environmentPanel';
import { environmentView, type PythonStatus } from './environmentView';

/** The environment view as plain text: `clinical-ft env` and the panel's Copy button. */
export function formatEnvironmentView(v: EnvironmentView): string {
  const pad = (s: string) => s.padEnd(15);
  const lines = [
    'Clinical FT environment',
    `  ${pad('Backend')} ${v.backend.label}`,
    `  ${pad('Why')} ${v.why}`,
    `  ${pad('Speed')} ${v.speed.headline}`,
    `  ${pad('')} ${v.speed.detail}`,
    `  ${pad('Threads')} ${v.threads}`,
    `  ${pad('Native kernels')} ${v.nativeKernels.detail}`,
    ...v.facts.map((f) => `  ${pad(f.label)} ${f.value}`),
    'Training backends (in order of preference):',
    ...v.tried.map((t) => `  ${t.available ? '✓' : '✗'} ${t.label.padEnd(38)} ${t.chosen ? 'chosen — ' : ''}${t.reason}`),
    `Selected backend: ${v.backend.name}`,
    ...(v.python ? ['TRL engine (Python):', `  ${v.python.summary}`, ...v.python.facts.map((f) => `  ${pad(f.label)} ${f.value}`)] : []),
    'How to get faster:',
    ...v.faster.map((f) => `  ${f.done ? '✓' : '•'} ${f.title} — ${f.detail}`),
  ];
  return lines.join('\n') + '\n';
}

/** Human-readable environment report (the CLI's `clinical-ft env`). */
export function formatEnvironmentReport(r: EnvironmentReport, extra: Record<string, string> = {}, python?: PythonStatus): string {
  return formatEnvironmentView(environmentView(r, python, extra));
}
