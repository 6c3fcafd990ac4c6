// Environment panel: which backend trains here and why, how fast this machine is, and how to get faster.
import './environment.css';
import { EnvironmentHostMessage, type EnvironmentView, type EnvironmentWebviewMessage } from '../../src/core/protocol/environmentPanel';
import { clear, h } from '../shared/dom';
import { onHostMessage, postToHost } from '../shared/vscodeApi';

const post = (m: EnvironmentWebviewMessage) => postToHost(m);
const app = document.getElementById('app')!;
const status = h('p', { class: 'status muted', attrs: { role: 'status' } });
const body = h('div', { class: 'body' });
const refresh = h('button', { class: 'secondary', on: { click: () => post({ type: 'refresh' }) } }, 'Probe again');
const copy = h('button', { class: 'secondary', on: { click: () => post({ type: 'copy' }) } }, 'Copy as text');

app.append(h('header', { class: 'toolbar' }, h('h1', {}, 'Clinical FT environment'), refresh, copy), status, body);

const facts = (rows: { label: string; value: string }[]) =>
  h('dl', { class: 'facts' }, ...rows.flatMap((r) => [h('dt', {}, r.label), h('dd', {}, r.value)]));

const card = (id: string, title: string, ...children: (Node | string)[]) => h('section', { class: 'card', attrs: { 'data-section': id } }, h('h2', {}, title), ...children);

function render(v: EnvironmentView): void {
  clear(body);
  body.append(
    h(
      'div',
      { class: 'cards' },
      card('backend', 'Backend', h('p', { class: 'headline', attrs: { 'data-backend': v.backend.name } }, v.backend.label), h('p', {}, v.why)),
      card('speed', 'Speed', h('p', { class: `headline speed-${v.speed.class}`, attrs: { 'data-speed-class': v.speed.class } }, v.speed.headline), h('p', { class: 'muted' }, v.speed.detail)),
      card('threads', 'Threads', h('p', {}, v.threads)),
      card('native', 'Native kernels', h('p', { class: v.nativeKernels.present ? 'ok' : 'warning', attrs: { 'data-present': String(v.nativeKernels.present) } }, v.nativeKernels.detail)),
    ),
    card(
      'tried',
      'Backends tried, in order of preference',
      h(
        'ul',
        { class: 'tried' },
        ...v.tried.map((t) =>
          h(
            'li',
            { class: t.chosen ? 'chosen' : t.available ? 'available' : 'unavailable', attrs: { 'data-backend': t.name } },
            h('span', { class: 'mark', attrs: { 'aria-hidden': 'true' } }, t.chosen ? '●' : t.available ? '✓' : '✗'),
            h('strong', {}, t.label),
            h('span', { class: 'muted' }, t.chosen ? ` — chosen; ${t.reason}` : ` — ${t.reason}`),
          ),
        ),
      ),
    ),
    card(
      'faster',
      'How to get faster',
      h(
        'ol',
        { class: 'faster' },
        ...v.faster.map((f) => h('li', { class: f.done ? 'done' : 'todo', attrs: { 'data-id': f.id, 'data-done': String(f.done) } }, h('strong', {}, f.done ? `✓ ${f.title}` : f.title), h('p', {}, f.detail))),
      ),
    ),
    card(
      'python',
      'TRL engine (Python)',
      ...(v.python
        ? [
            h('p', { class: v.python.state === 'ready' ? 'ok' : 'muted', attrs: { 'data-state': v.python.state } }, v.python.summary),
            ...(v.python.facts.length ? [facts(v.python.facts)] : []),
            h('button', { class: 'secondary', on: { click: () => post({ type: 'openPythonSetting' }) } }, 'Set the Python interpreter…'),
          ]
        : [h('p', { class: 'muted' }, 'Not probed.')]),
    ),
    card('machine', 'This machine', facts(v.facts)),
  );
}

onHostMessage(EnvironmentHostMessage, (msg) => {
  switch (msg.type) {
    case 'probing':
      status.textContent = 'Probing the training backends and measuring speed…';
      refresh.disabled = true;
      return;
    case 'view':
      status.textContent = '';
      refresh.disabled = false;
      render(msg.view);
      return;
    case 'failed':
      status.textContent = `The environment probe failed: ${msg.message}`;
      status.className = 'status error';
      refresh.disabled = false;
      return;
    case 'copied':
      status.className = 'status muted';
      status.textContent = 'Copied the report to the clipboard.';
      return;
  }
});

post({ type: 'ready' });
