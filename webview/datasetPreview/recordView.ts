// One record, readably: prompt/completion, instruction/input/output, chat turns, or chosen vs rejected side by side.
import { h } from '../shared/dom';
import type { DatasetPreviewHostMessage } from '../../src/core/protocol/datasetPreview';
import { detectFormat, FORMAT_LABELS } from '../../src/core/datasets/records';

type RecordMsg = Extract<DatasetPreviewHostMessage, { type: 'record' }>;
type Reveal = (line: number, column?: number) => void;
type ShowTokens = (line: number) => void;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function block(label: string, value: unknown, cls = ''): HTMLElement {
  return h('div', { class: `block ${cls}` }, h('div', { class: 'block-label' }, label), h('pre', { class: 'block-text' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2)));
}

function turns(value: unknown): HTMLElement {
  if (!Array.isArray(value)) return h('pre', { class: 'block-text' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return h(
    'div',
    { class: 'turns' },
    ...value.map((m) => {
      const role = isObj(m) && typeof m.role === 'string' ? m.role : '?';
      const content = isObj(m) ? (m.content ?? m.tool_calls) : m;
      return h('div', { class: `turn role-${role.replace(/[^a-z]/g, '')}` }, h('div', { class: 'role' }, role), h('pre', { class: 'block-text' }, typeof content === 'string' ? content : JSON.stringify(content)));
    }),
  );
}

export function renderRecord(msg: RecordMsg, reveal: Reveal, showTokens: ShowTokens): HTMLElement {
  const rec = msg.record;
  const format = detectFormat(rec);
  const parts: HTMLElement[] = [];
  const head = h(
    'div',
    { class: 'record-head' },
    h('strong', {}, `Line ${msg.line}`),
    h('span', { class: 'muted' }, format ? ` · ${FORMAT_LABELS[format]}` : ' · not a valid record'),
    isObj(rec) && rec.id !== undefined ? h('span', { class: 'muted' }, ` · id ${String(rec.id)}`) : null,
    h('button', { class: 'secondary link', attrs: { type: 'button' }, on: { click: () => reveal(msg.line) } }, 'Open in editor'),
    format && msg.issues.every((i) => i.severity !== 'error')
      ? h('button', { class: 'secondary link', attrs: { type: 'button', 'data-testid': 'show-tokens' }, on: { click: () => showTokens(msg.line) } }, 'Show training tokens')
      : null,
  );
  parts.push(head);
  if (msg.issues.length) {
    parts.push(
      h(
        'ul',
        { class: 'issues' },
        ...msg.issues.map((i) =>
          h('li', { class: i.severity }, h('button', { class: 'link', attrs: { type: 'button' }, on: { click: () => reveal(i.line, i.column) } }, `${i.line}:${i.column}`), ` ${i.code}${i.field ? ` (${i.field})` : ''}: ${i.message}`),
        ),
      ),
    );
  }
  if (!isObj(rec) || !format) {
    parts.push(block('Raw line', msg.raw));
    return h('div', {}, ...parts);
  }
  switch (format) {
    case 'prompt_completion':
    case 'unpaired_preference':
      parts.push(h('div', { class: 'block' }, h('div', { class: 'block-label' }, 'Prompt'), turns(rec.prompt ?? rec.question ?? '')));
      parts.push(h('div', { class: 'block answer' }, h('div', { class: 'block-label' }, format === 'unpaired_preference' ? `Completion (label: ${String(rec.label)})` : 'Completion'), turns(rec.completion ?? rec.response ?? rec.output ?? '')));
      break;
    case 'alpaca':
      parts.push(block('Instruction', rec.instruction ?? ''));
      if (rec.input) parts.push(block('Input', rec.input));
      parts.push(block('Output', rec.output ?? rec.completion ?? '', 'answer'));
      break;
    case 'text':
      parts.push(block('Text', rec.text ?? ''));
      break;
    case 'messages':
      parts.push(turns(rec.messages));
      break;
    case 'preference':
    case 'implicit_preference':
      if (format === 'preference') parts.push(h('div', { class: 'block' }, h('div', { class: 'block-label' }, 'Prompt'), turns(rec.prompt)));
      parts.push(
        h(
          'div',
          { class: 'pair' },
          h('div', { class: 'side chosen' }, h('div', { class: 'block-label' }, 'Chosen'), turns(rec.chosen)),
          h('div', { class: 'side rejected' }, h('div', { class: 'block-label' }, 'Rejected'), turns(rec.rejected)),
        ),
      );
      break;
  }
  if (rec.meta !== undefined) parts.push(block('meta', rec.meta, 'meta'));
  return h('div', {}, ...parts);
}
