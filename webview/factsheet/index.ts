// Fact sheet panel: the document every export renders (same blocks, src/core/factsheet/document.ts), with the
// fields a person writes as a form. Text goes in as text nodes; the charts are built from the same geometry as
// the exported SVG with DOM calls.
import './factsheet.css';
import { h, clear } from '../shared/dom';
import { onHostMessage, postToHost } from '../shared/vscodeApi';
import { FactSheetHostMessage, type FactSheetStatus, type FactSheetWebviewMessage } from '../../src/core/protocol/factsheet';
import type { Block, FactSheetDoc } from '../../src/core/factsheet/document';
import type { ChartGeometry } from '../../src/core/factsheet/lossChart';
import { ANSWER_KEYS, NOT_ANSWERED, type AnswerKey, type Answers } from '../../src/core/factsheet/answers';

const app = document.getElementById('app')!;
const send = (m: FactSheetWebviewMessage) => postToHost(m);
let doc: FactSheetDoc | null = null;
let status: FactSheetStatus = { phase: 'loading', message: 'Waiting for the extension…' };
let saved: Answers = {};
/** What the form holds now (kept across snapshots so typing is never lost). */
const draft: Answers = {};
let notice = { text: '', error: false };

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function chart(g: ChartGeometry): Element {
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${g.width} ${g.height}`, width: g.width, height: g.height, role: 'img', 'aria-label': g.title, 'font-size': 11 });
  root.append(svg('text', { x: g.plot.left, y: 16, 'font-size': 13 }, g.title));
  for (const t of g.yTicks) root.append(svg('line', { class: 'grid', x1: g.plot.left, y1: t.y, x2: g.plot.right, y2: t.y }), svg('text', { x: g.plot.left - 6, y: t.y + 4, 'text-anchor': 'end' }, t.label));
  for (const t of g.xTicks) root.append(svg('text', { x: t.x, y: g.plot.bottom + 16, 'text-anchor': 'middle' }, t.label));
  root.append(svg('line', { class: 'axis', x1: g.plot.left, y1: g.plot.bottom, x2: g.plot.right, y2: g.plot.bottom }));
  root.append(svg('text', { x: (g.plot.left + g.plot.right) / 2, y: g.height - 6, 'text-anchor': 'middle' }, g.xLabel));
  g.lines.forEach((l, i) => {
    const dash: Record<string, string> = l.dashed ? { 'stroke-dasharray': '5 3' } : {};
    root.append(svg('path', { class: `series-${i}`, d: l.path, fill: 'none', 'stroke-width': 1.8, ...dash }));
    const x = g.plot.right - 150;
    const y = g.plot.top + 4 + i * 16;
    root.append(svg('line', { class: `series-${i}`, x1: x, y1: y, x2: x + 18, y2: y, 'stroke-width': 2, ...dash }), svg('text', { x: x + 24, y: y + 4 }, l.name));
  });
  return root;
}

const isKey = (k: string): k is AnswerKey => (ANSWER_KEYS as readonly string[]).includes(k);
const dirty = () => ANSWER_KEYS.some((k) => (draft[k] ?? '') !== (saved[k] ?? ''));

function answerField(b: Extract<Block, { kind: 'answer' }>): HTMLElement {
  const id = `field-${b.key}`;
  const key = b.key;
  const area = h('textarea', { attrs: { id, 'data-field': key, rows: '3', 'aria-describedby': `${id}-hint` } });
  area.value = isKey(key) ? (draft[key] ?? '') : '';
  const missing = h('div', { class: 'missing' }, area.value.trim() ? '' : NOT_ANSWERED);
  area.addEventListener('input', () => {
    if (isKey(key)) draft[key] = area.value;
    missing.textContent = area.value.trim() ? '' : NOT_ANSWERED;
    updateToolbar();
  });
  return h('div', { class: 'field' }, h('label', { attrs: { for: id } }, b.label), h('div', { class: 'hint', attrs: { id: `${id}-hint` } }, b.hint), area, missing);
}

function block(b: Block): Node {
  switch (b.kind) {
    case 'paragraph':
      return h('p', {}, b.text);
    case 'facts':
      return h('table', { class: 'facts' }, h('tbody', {}, ...b.rows.map(([k, v]) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, k), h('td', {}, v)))));
    case 'table':
      return h('table', {}, h('thead', {}, h('tr', {}, ...b.header.map((c) => h('th', {}, c)))), h('tbody', {}, ...b.rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
    case 'chart':
      return h('figure', {}, chart(b.chart));
    case 'answer':
      return answerField(b);
  }
}

const saveButton = h('button', { attrs: { 'data-action': 'save' }, on: { click: () => send({ type: 'save', answers: Object.fromEntries(ANSWER_KEYS.map((k) => [k, draft[k] ?? ''])) }) } }, 'Save answers');
const exportButtons = (
  [
    ['all', 'Export all four', ['md', 'html', 'json', 'chai']],
    ['md', 'Markdown', ['md']],
    ['html', 'HTML', ['html']],
    ['json', 'HTI-1 JSON', ['json']],
    ['chai', 'CHAI XML', ['chai']],
  ] as const
).map(([id, label, formats]) => h('button', { class: 'secondary', attrs: { 'data-export': id }, on: { click: () => send({ type: 'export', formats: [...formats] }) } }, label));

function updateToolbar(): void {
  saveButton.disabled = !doc || !dirty();
  const unsaved = dirty();
  for (const b of exportButtons) {
    b.disabled = !doc || unsaved;
    b.title = unsaved ? 'Save the answers first: exports use the saved answers' : '';
  }
}

function render(): void {
  clear(app);
  app.append(h('div', { class: `status ${status.phase}`, attrs: { role: 'status', 'data-phase': status.phase } }, status.message));
  if (!doc) return;
  app.append(
    h('div', { class: 'toolbar' }, saveButton, ...exportButtons),
    h('div', { class: `notice${notice.error ? ' error' : ''}`, attrs: { 'aria-live': 'polite', 'data-notice': '' } }, notice.text),
    h('h1', {}, doc.title),
    h('p', { class: 'subtitle' }, doc.subtitle),
    ...doc.sections.map((s) => h('section', { attrs: { 'data-section': s.id } }, h('h2', {}, s.title), ...s.blocks.map(block))),
  );
  updateToolbar();
}

onHostMessage(FactSheetHostMessage, (msg) => {
  if (msg.type === 'snapshot') {
    const wasDirty = dirty();
    status = msg.status;
    doc = msg.doc;
    saved = msg.answers;
    // A snapshot after our own save (or the first one) sets the form; an unrelated one keeps what is being typed.
    if (!wasDirty) for (const k of ANSWER_KEYS) draft[k] = saved[k] ?? '';
    render();
  } else if (msg.type === 'saved') {
    notice = { text: `Saved ${msg.file}`, error: false };
  } else if (msg.type === 'exported') {
    notice = { text: `Exported: ${msg.files.join(', ')}`, error: false };
    render();
  } else {
    notice = { text: msg.message, error: true };
    render();
  }
});

render();
send({ type: 'ready' });
