// Dataset preview: a virtualized table of every record (only the visible rows exist in the DOM and only those
// are fetched from the host), one record rendered readably, search/filter and the dataset's statistics.
// Dataset text is always inserted as text nodes.
import './datasetPreview.css';
import { h, clear } from '../shared/dom';
import { onHostMessage, postToHost, vscodeApi } from '../shared/vscodeApi';
import { DatasetPreviewHostMessage, type FilterMode, type PreviewRow, type PreviewStats, type DatasetPreviewWebviewMessage } from '../../src/core/protocol/datasetPreview';
import { renderRecord } from './recordView';
import { renderStats } from './statsView';

const ROW_H = 26;
const OVERSCAN = 12;
const BLOCK = 200;

const send = (m: DatasetPreviewWebviewMessage) => postToHost(m);

const state = {
  fileName: '',
  total: 0,
  indexing: true,
  stats: null as PreviewStats | null,
  query: '',
  mode: 'all' as FilterMode,
  indices: null as number[] | null,
  selected: ((vscodeApi().getState() as { selected?: number } | undefined)?.selected ?? -1) as number,
  rows: new Map<number, PreviewRow>(),
  requested: new Set<number>(),
};

// ---- layout
const title = h('h1', { class: 'title' });
const summary = h('div', { class: 'summary muted', attrs: { id: 'summary' } });
const statsBox = h('section', { class: 'stats', attrs: { id: 'stats', 'aria-label': 'Dataset statistics' } });
const search = h('input', { attrs: { id: 'search', type: 'search', placeholder: 'Search records…', 'aria-label': 'Search records' } });
const modeSelect = h(
  'select',
  { attrs: { id: 'mode', 'aria-label': 'Filter rows' } },
  ...(['all', 'phi', 'duplicates', 'errors'] as const).map((m) => h('option', { attrs: { value: m } }, { all: 'All records', phi: 'With PHI findings', duplicates: 'Duplicates', errors: 'Invalid lines' }[m])),
);
const count = h('span', { class: 'muted', attrs: { id: 'count' } });
const header = h('div', { class: 'thead', attrs: { role: 'row' } }, ...['#', 'Line', 'Prompt', 'Answer', 'Label', 'Length', ''].map((c) => h('div', { class: 'cell', attrs: { role: 'columnheader' } }, c)));
const spacer = h('div', { class: 'spacer' });
const rowsBox = h('div', { class: 'rows' });
const scroller = h('div', { class: 'scroller', attrs: { id: 'table', role: 'grid', tabindex: '0', 'aria-label': 'Records' } }, spacer, rowsBox);
const recordBox = h('section', { class: 'record', attrs: { id: 'record', 'aria-label': 'Selected record' } }, h('p', { class: 'muted' }, 'Select a row to read the record.'));

const app = document.getElementById('app') ?? document.body;
app.append(
  h('header', { class: 'top' }, title, summary),
  statsBox,
  h('div', { class: 'toolbar' }, search, modeSelect, count),
  h('div', { class: 'main' }, h('div', { class: 'table' }, header, scroller), recordBox),
);

// ---- virtual table
const viewLength = () => state.indices?.length ?? state.total;
const recordAt = (pos: number) => (state.indices ? state.indices[pos] : pos);

function ensureRows(first: number, last: number): void {
  for (let pos = first; pos <= last; pos++) {
    const idx = recordAt(pos);
    if (idx === undefined || state.rows.has(idx)) continue;
    const block = Math.floor(idx / BLOCK);
    if (state.requested.has(block)) continue;
    state.requested.add(block);
    send({ type: 'rows', start: block * BLOCK, end: (block + 1) * BLOCK });
  }
}

let frame = 0;
function render(): void {
  frame = 0;
  const n = viewLength();
  spacer.style.height = `${n * ROW_H}px`;
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_H) - OVERSCAN);
  const last = Math.min(n - 1, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_H) + OVERSCAN);
  rowsBox.style.transform = `translateY(${first * ROW_H}px)`;
  clear(rowsBox);
  for (let pos = first; pos <= last; pos++) rowsBox.append(rowElement(pos));
  ensureRows(first, last);
  count.textContent = state.indices ? `${n.toLocaleString()} of ${state.total.toLocaleString()} rows` : `${n.toLocaleString()} rows`;
}
const schedule = () => {
  if (!frame) frame = requestAnimationFrame(render);
};

function rowElement(pos: number): HTMLElement {
  const idx = recordAt(pos);
  const r = state.rows.get(idx);
  const cls = ['row', idx === state.selected ? 'selected' : '', r?.error ? 'invalid' : ''].filter(Boolean).join(' ');
  const flags = r ? [r.phi ? `PHI ${r.phi}` : '', r.duplicate ? 'dup' : '', r.error ? 'invalid' : ''].filter(Boolean).join(' · ') : '';
  return h(
    'div',
    { class: cls, attrs: { role: 'row', 'data-index': String(idx), 'data-line': String(r?.line ?? '') }, on: { click: () => select(idx) } },
    h('div', { class: 'cell num' }, String(idx + 1)),
    h('div', { class: 'cell num' }, r ? String(r.line) : ''),
    h('div', { class: 'cell text', title: r?.preview ?? '' }, r ? (r.error ? r.error : r.preview) : '…'),
    h('div', { class: 'cell text' }, r?.answer ?? ''),
    h('div', { class: 'cell' }, r?.label ?? ''),
    h('div', { class: 'cell num' }, r && !r.error ? String(r.length) : ''),
    h('div', { class: `cell flags${r?.phi ? ' warning' : ''}${r?.error ? ' error' : ''}` }, flags),
  );
}

function select(idx: number): void {
  state.selected = idx;
  vscodeApi().setState({ selected: idx });
  send({ type: 'record', index: idx });
  schedule();
}

scroller.addEventListener('scroll', schedule, { passive: true });
window.addEventListener('resize', schedule);
scroller.addEventListener('keydown', (e) => {
  const pos = state.indices ? state.indices.indexOf(state.selected) : state.selected;
  const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : e.key === 'PageDown' ? 20 : e.key === 'PageUp' ? -20 : 0;
  if (!move) return;
  e.preventDefault();
  const next = Math.max(0, Math.min(viewLength() - 1, pos + move));
  select(recordAt(next));
  const top = next * ROW_H;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW_H > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + ROW_H - scroller.clientHeight;
});

// ---- search / filter (debounced: the host streams the file for text queries)
let searchTimer: ReturnType<typeof setTimeout> | undefined;
const applyFilter = () => send({ type: 'filter', query: search.value, mode: modeSelect.value as FilterMode });
search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(applyFilter, 250);
});
modeSelect.addEventListener('change', applyFilter);

function showSummary(): void {
  title.textContent = state.fileName;
  const s = state.stats;
  summary.textContent = state.indexing
    ? `Reading… ${state.total.toLocaleString()} records so far`
    : s
      ? `${s.formatLabel} · ${s.records.toLocaleString()} valid records${s.invalid ? ` · ${s.invalid} invalid lines` : ''} · ${s.errors} errors · ${s.warnings} warnings`
      : '';
  clear(statsBox);
  if (s) statsBox.append(renderStats(s, { reveal: (line, column) => send({ type: 'reveal', line, column }), filter: (mode) => {
    modeSelect.value = mode;
    applyFilter();
  } }));
}

onHostMessage(DatasetPreviewHostMessage, (msg) => {
  switch (msg.type) {
    case 'snapshot':
      state.fileName = msg.fileName;
      state.total = msg.total;
      state.indexing = msg.indexing;
      state.stats = msg.stats;
      state.query = msg.query;
      state.mode = msg.mode;
      state.indices = msg.indices;
      state.rows.clear();
      state.requested.clear();
      search.value = msg.query;
      modeSelect.value = msg.mode;
      showSummary();
      schedule();
      if (!msg.indexing && state.selected >= 0 && state.selected < msg.total) send({ type: 'record', index: state.selected });
      break;
    case 'progress':
      state.total = msg.total;
      state.indexing = msg.indexing;
      showSummary();
      break;
    case 'stats':
      state.stats = msg.stats;
      showSummary();
      break;
    case 'rows':
      for (const r of msg.rows) state.rows.set(r.index, r);
      schedule();
      break;
    case 'filtered':
      state.indices = msg.indices;
      scroller.scrollTop = 0;
      schedule();
      break;
    case 'record':
      if (msg.index !== state.selected) break;
      clear(recordBox);
      recordBox.append(renderRecord(msg, (line, column) => send({ type: 'reveal', line, column }), (line) => send({ type: 'showTokens', line })));
      break;
    case 'error':
      clear(recordBox);
      recordBox.append(h('p', { class: 'error', attrs: { role: 'alert' } }, msg.message));
      break;
  }
});

send({ type: 'ready' });
