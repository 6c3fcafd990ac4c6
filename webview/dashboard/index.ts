// Run dashboard: loss curves and training signals of one or more runs, live while they train.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type { MetricsRecord } from '../../src/core/metrics';
import { DashboardHostMessage, type DashboardRun, type DashboardWebviewMessage } from '../../src/core/protocol/dashboard';
import { clear, h } from '../shared/dom';
import { onHostMessage, postToHost, vscodeApi } from '../shared/vscodeApi';
import { ChartGrid } from './charts';

interface SavedState {
  smoothing: number;
}

const post = (m: DashboardWebviewMessage) => postToHost(m);
const saved = (vscodeApi().getState() as SavedState | undefined) ?? { smoothing: 0.6 };
let smoothing = saved.smoothing;
let runs: DashboardRun[] = [];

const app = document.getElementById('app')!;
const legend = h('div', { class: 'runs', attrs: { role: 'list', 'aria-label': 'Runs shown' } });
const notice = h('div', { class: 'notice muted', attrs: { role: 'status' } });
const smoothingValue = h('span', { class: 'smoothing-value' }, smoothing.toFixed(2));
const slider = h('input', {
  attrs: { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(smoothing), 'aria-label': 'Smoothing of loss and reward accuracy (EMA weight)', title: 'Smoothing of the per-batch loss and reward accuracy (EMA weight); the raw series stays visible, faint' },
  on: {
    input: () => {
      smoothing = Number(slider.value);
      smoothingValue.textContent = smoothing.toFixed(2);
      vscodeApi().setState({ smoothing } satisfies SavedState);
      redraw();
    },
  },
});
const button = (label: string, msg: () => DashboardWebviewMessage, secondary = true) => {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', () => post(msg()));
  return b;
};
const grid = h('div', { class: 'grid' });
const charts = new ChartGrid(grid);

app.append(
  h(
    'header',
    { class: 'toolbar' },
    h('label', { class: 'smoothing' }, 'Smoothing ', slider, smoothingValue),
    button('Compare with…', () => ({ type: 'addRun' })),
    button('Export CSV', () => ({ type: 'exportCsv' })),
    button('Export PNG', () => ({ type: 'exportPng', dataUrl: charts.toPng() })),
  ),
  legend,
  notice,
  grid,
);

function renderLegend(): void {
  clear(legend);
  for (const r of runs) {
    const total = r.totalSteps ? `/${r.totalSteps}` : '';
    const badge = document.createElement('vscode-badge');
    badge.textContent = r.status;
    legend.append(
      h(
        'div',
        { class: `run status-${r.status}`, attrs: { role: 'listitem', 'data-run': r.id, 'data-status': r.status } },
        badge,
        h('span', { class: 'run-label' }, r.label),
        h('span', { class: 'muted' }, ` step ${r.step}${total}`),
        runs.length > 1 ? h('button', { class: 'secondary remove', title: 'Remove from the comparison', on: { click: () => post({ type: 'removeRun', runId: r.id }) } }, '×') : null,
      ),
    );
  }
}

function redraw(): void {
  const empty = runs.every((r) => r.records.length === 0);
  notice.textContent = runs.length === 0 ? 'No run selected.' : empty ? 'Waiting for the first metrics…' : '';
  charts.render(runs, smoothing);
}

let frame = 0;
function scheduleRedraw(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    redraw();
  });
}

function append(runId: string, records: MetricsRecord[]): void {
  const run = runs.find((r) => r.id === runId);
  if (!run) return;
  run.records.push(...records);
  run.step = Math.max(run.step, ...records.map((r) => r.step));
  renderLegend();
  scheduleRedraw();
}

onHostMessage(DashboardHostMessage, (msg) => {
  switch (msg.type) {
    case 'snapshot':
      runs = msg.runs;
      renderLegend();
      redraw();
      return;
    case 'append':
      append(msg.runId, msg.records);
      return;
    case 'status': {
      const run = runs.find((r) => r.id === msg.runId);
      if (run) Object.assign(run, { status: msg.status, step: msg.step, totalSteps: msg.totalSteps });
      renderLegend();
      return;
    }
    case 'exported':
      notice.textContent = `Saved ${msg.what.toUpperCase()} to ${msg.path}`;
      return;
  }
});

new ResizeObserver(() => scheduleRedraw()).observe(grid);
// The charts share the panel's height too: a taller or shorter panel resizes them.
window.addEventListener('resize', () => scheduleRedraw());
// Theme switches change body classes; colors live in the canvases, so the charts are rebuilt.
new MutationObserver(() => {
  charts.reset();
  scheduleRedraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready' });
