// Compare panel: metrics side by side and per-example outputs (one column per model) next to the gold
// answer, filterable to the examples where the models disagree. Renders host snapshots; dataset text is
// always inserted as text.
import './compare.css';
import { h, clear } from '../shared/dom';
import { onHostMessage, postToHost, vscodeApi } from '../shared/vscodeApi';
import { CompareHostMessage, type CompareStatus, type CompareWebviewMessage } from '../../src/core/protocol/compare';
import { disagreementFilterLabel, filterExamples, isDisagreement, type ComparedExample, type Comparison } from '../../src/core/compare/comparison';

/** Examples rendered per page: enough to scroll through, few enough to stay instant at thousands. */
const PAGE = 100;

interface UiState {
  onlyDisagreements: boolean;
  search: string;
}

const saved = (vscodeApi().getState() ?? {}) as Partial<UiState>;
const ui = { onlyDisagreements: saved.onlyDisagreements ?? false, search: saved.search ?? '', shown: PAGE };
let comparison: Comparison | undefined;
let status: CompareStatus | undefined;
let notice = '';

const app = document.getElementById('app')!;
const send = (m: CompareWebviewMessage) => postToHost(m);
const persist = () => vscodeApi().setState({ onlyDisagreements: ui.onlyDisagreements, search: ui.search } satisfies UiState);

function statusBar(): HTMLElement {
  if (!status) return h('p', { class: 'muted' }, 'Waiting for the extension…');
  const cls = status.phase === 'failed' ? 'status error' : status.phase === 'evaluating' ? 'status busy' : 'status';
  return h(
    'div',
    { class: cls, attrs: { role: 'status', 'data-phase': status.phase } },
    h('progress', { attrs: { max: String(Math.max(1, status.total)), value: String(status.done) } }),
    h('span', {}, status.message),
  );
}

function metricsTable(c: Comparison): HTMLElement {
  const best = (values: (number | null)[]) => Math.max(...values.filter((v): v is number => v !== null));
  return h(
    'table',
    { class: 'metrics' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Metric'), ...c.models.map((m) => h('th', { title: m.adapterDir ?? m.modelDir }, m.name)))),
    h(
      'tbody',
      {},
      ...c.metrics.map((m) => {
        const known = m.values.filter((v): v is number => v !== null);
        // Bold the best value only when the models actually differ on this metric.
        const top = known.length > 1 && Math.min(...known) < Math.max(...known) ? best(m.values) : NaN;
        return h(
          'tr',
          {},
          h('th', { attrs: { scope: 'row' } }, m.name),
          ...m.values.map((v) => h('td', { class: v !== null && v === top ? 'best' : '' }, v === null ? '—' : v.toFixed(3))),
        );
      }),
    ),
  );
}

function controls(c: Comparison, visible: number): HTMLElement {
  const checkbox = h('input', {
    attrs: { type: 'checkbox', id: 'only-disagreements', ...(ui.onlyDisagreements ? { checked: '' } : {}) },
    on: {
      change: (e) => {
        ui.onlyDisagreements = (e.target as HTMLInputElement).checked;
        ui.shown = PAGE;
        persist();
        render();
      },
    },
  });
  const search = h('input', {
    attrs: { type: 'search', id: 'search', placeholder: 'Search prompts, answers, ids', value: ui.search, 'aria-label': 'Search examples' },
    on: {
      input: (e) => {
        ui.search = (e.target as HTMLInputElement).value;
        ui.shown = PAGE;
        persist();
        renderExamples();
      },
    },
  });
  const exportButton = (format: 'markdown' | 'csv', label: string) =>
    h('button', { class: 'secondary', attrs: { 'data-export': format }, on: { click: () => send({ type: 'export', format, onlyDisagreements: ui.onlyDisagreements }) } }, label);
  return h(
    'div',
    { class: 'controls' },
    h('label', { attrs: { for: 'only-disagreements' } }, checkbox, ` ${disagreementFilterLabel(c)}`),
    search,
    h('span', { class: 'muted', attrs: { id: 'visible-count' } }, `${visible} shown`),
    exportButton('markdown', 'Export Markdown'),
    exportButton('csv', 'Export CSV'),
  );
}

function exampleCard(c: Comparison, ex: ComparedExample): HTMLElement {
  const outputs = c.models.map((m, i) => {
    const out = ex.outputs[i];
    const score = ex.scores?.[i];
    const verdict = score === null || score === undefined ? '' : score >= 1 ? 'correct' : score <= 0 ? 'wrong' : '';
    return h(
      'div',
      { class: `output ${verdict}`, attrs: { 'data-model': m.name } },
      h('div', { class: 'output-head' }, h('strong', {}, m.name), ex.predicted?.[i] !== undefined ? h('span', { class: 'muted' }, ` → ${ex.predicted[i] ?? 'no label'}`) : null, score !== null && score !== undefined ? h('span', { class: 'score' }, score.toFixed(2)) : null),
      out === null ? h('em', { class: 'muted' }, 'not evaluated') : h('pre', {}, out),
    );
  });
  return h(
    'article',
    { class: `example${isDisagreement(ex) ? ' disagree' : ''}`, attrs: { 'data-key': ex.key } },
    h('header', {}, h('code', {}, ex.key), isDisagreement(ex) ? h('span', { class: 'badge' }, 'models disagree') : null),
    h('details', {}, h('summary', {}, 'Prompt'), h('pre', {}, ex.prompt)),
    h('div', { class: 'gold' }, h('strong', {}, 'Gold'), h('pre', {}, ex.gold)),
    h('div', { class: 'outputs' }, ...outputs),
  );
}

const examplesHost = h('section', { class: 'examples', attrs: { 'aria-label': 'Examples' } });

function renderExamples(): void {
  clear(examplesHost);
  if (!comparison) return;
  const list = filterExamples(comparison, { onlyDisagreements: ui.onlyDisagreements, search: ui.search });
  const count = document.getElementById('visible-count');
  if (count) count.textContent = `${list.length} shown`;
  examplesHost.style.setProperty('--models', String(comparison.models.length));
  for (const ex of list.slice(0, ui.shown)) examplesHost.append(exampleCard(comparison, ex));
  if (list.length > ui.shown) {
    examplesHost.append(
      h('button', { class: 'secondary more', on: { click: () => ((ui.shown += PAGE), renderExamples()) } }, `Show ${Math.min(PAGE, list.length - ui.shown)} more of ${list.length - ui.shown}`),
    );
  }
  if (list.length === 0) examplesHost.append(h('p', { class: 'muted empty' }, comparison.examples.length ? 'No example matches the filter.' : 'No outputs yet.'));
}

function render(): void {
  clear(app);
  app.append(h('h1', {}, comparison ? `Compare on ${comparison.dataset.split(/[\\/]/).pop()}` : 'Compare runs'), statusBar());
  if (notice) app.append(h('p', { class: 'notice', attrs: { role: 'note' } }, notice));
  if (!comparison) return;
  app.append(
    h('ul', { class: 'models' }, ...comparison.models.map((m) => h('li', {}, h('strong', {}, m.name), ` ${m.modelDir}${m.adapterDir ? ` + ${m.adapterDir}` : ''}`))),
    metricsTable(comparison),
    controls(comparison, filterExamples(comparison, { onlyDisagreements: ui.onlyDisagreements, search: ui.search }).length),
    examplesHost,
  );
  renderExamples();
}

onHostMessage(CompareHostMessage, (msg) => {
  if (msg.type === 'snapshot') {
    comparison = msg.comparison;
    status = msg.status;
    render();
  } else if (msg.type === 'progress') {
    status = msg.status;
    const bar = app.querySelector('.status');
    if (bar) bar.replaceWith(statusBar());
    else render();
  } else {
    notice = `Exported to ${msg.file}`;
    render();
  }
});

render();
send({ type: 'ready' });
