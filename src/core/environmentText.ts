import type { EnvironmentReport } from './protocol/environment';

/** Human-readable environment report, shared by the CLI and the "Show environment" output channel. */
export function formatEnvironmentReport(r: EnvironmentReport, extra: Record<string, string> = {}): string {
  const lines = [
    'Clinical FT environment',
    `  Node.js        ${r.node} (${r.platform}-${r.arch})`,
    ...Object.entries(extra).map(([k, v]) => `  ${k.padEnd(14)} ${v}`),
    `  CPU            ${r.cpus} × ${r.cpuModel}`,
    `  Memory         ${r.totalMemoryMB} MB`,
    `  TensorFlow.js  ${r.tfjsVersion}`,
    'Training backends (in order of preference):',
    ...r.backends.map((b) => {
      const feats = Object.entries(b.features).map(([k, v]) => `${k}=${v}`).join(', ');
      return `  ${b.available ? '✓' : '✗'} ${b.name.padEnd(15)} ${b.package} — ${b.detail}${feats ? ` [${feats}]` : ''}`;
    }),
    `Selected backend: ${r.selected}`,
  ];
  return lines.join('\n') + '\n';
}
