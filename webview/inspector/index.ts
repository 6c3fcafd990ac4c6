// "Show training tokens": one record as the trainer feeds it, token by token — trained tokens highlighted,
// the tokenizer's special tokens marked, a warning when truncation leaves no answer token. Renders host
// snapshots; token text always goes in as text.
import './inspector.css';
import { h, clear } from '../shared/dom';
import { onHostMessage, postToHost } from '../shared/vscodeApi';
import { InspectorHostMessage, type InspectorWebviewMessage } from '../../src/core/protocol/inspector';
import type { InspectedSequence } from '../../src/core/protocol/cliOutputs';

const app = document.getElementById('app')!;
const send = (m: InspectorWebviewMessage) => postToHost(m);

/** Whitespace made visible, so a trained newline or space can be seen. */
const visible = (piece: string) => piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→');

function chips(s: InspectedSequence): HTMLElement {
  const box = h('div', { class: 'tokens', attrs: { 'data-testid': 'tokens' } });
  s.pieces.forEach((piece, i) => {
    const cls = ['tok', s.trained[i] ? 'trained' : '', s.special[i] ? 'special' : ''].filter(Boolean).join(' ');
    box.append(h('span', { class: cls, title: `id ${s.tokens[i]}${s.trained[i] ? ' · trained' : ''}${s.special[i] ? ' · special token' : ''}`, attrs: { 'data-id': String(s.tokens[i]) } }, visible(piece)));
    if (piece.endsWith('\n')) box.append(h('span', { class: 'tok newline' }));
  });
  return box;
}

function counts(s: InspectedSequence): string {
  return `${s.tokens.length} tokens · ${s.trainedCount} trained${s.truncated ? ' · truncated' : ''}${s.droppedTrained ? ` · ${s.droppedTrained} answer tokens cut` : ''}`;
}

function render(msg: InspectorHostMessage): void {
  clear(app);
  const { target, record, warning, error } = msg;
  app.append(
    h(
      'div',
      { class: 'head' },
      h('span', { class: 'where' }, `${target.file.split(/[\\/]/).pop()}:${target.line}`),
      h('button', { attrs: { type: 'button' }, on: { click: () => send({ type: 'line', line: Math.max(1, target.line - 1) }) } }, 'Previous'),
      h('button', { attrs: { type: 'button' }, on: { click: () => send({ type: 'line', line: target.line + 1 }) } }, 'Next'),
      h('button', { attrs: { type: 'button' }, on: { click: () => send({ type: 'revealRecord' }) } }, 'Go to record'),
      h('span', { class: 'counts' }, `model ${target.model.split(/[\\/]/).pop()} · max length ${target.maxLength}`),
    ),
  );
  if (error) {
    app.append(h('div', { class: 'error', attrs: { role: 'alert' } }, error));
    return;
  }
  if (!record) {
    app.append(h('p', { class: 'counts' }, 'Tokenizing with the trainer…'));
    return;
  }
  if (warning) app.append(h('div', { class: 'warning', attrs: { role: 'alert', 'data-testid': 'warning' } }, `⚠ ${warning}`));
  app.append(h('div', { class: 'legend' }, h('span', { class: 'tok trained' }, 'trained'), h('span', { class: 'tok' }, 'context'), h('span', { class: 'tok special' }, 'special token'), h('span', { class: 'counts' }, `format ${record.format}`)));
  if (record.rejected) {
    app.append(h('h3', {}, `Chosen — ${counts(record)}`), chips(record), h('h3', {}, `Rejected — ${counts(record.rejected)}`), chips(record.rejected));
  } else {
    app.append(h('p', { class: 'counts' }, counts(record)), chips(record));
  }
}

onHostMessage(InspectorHostMessage, render);
send({ type: 'ready' });
