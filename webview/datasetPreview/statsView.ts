// Statistics: counts, the length histogram (tokens of the selected model, or characters), label distribution,
// duplicates and PHI findings with jump-to-line. Bar sizes are set through CSSOM (allowed under the strict CSP).
import { h } from '../shared/dom';
import type { FilterMode, PreviewStats } from '../../src/core/protocol/datasetPreview';

interface Actions {
  reveal(line: number, column?: number): void;
  filter(mode: FilterMode): void;
}

function card(title: string, ...children: (Node | string | null)[]): HTMLElement {
  return h('div', { class: 'card' }, h('div', { class: 'card-title' }, title), ...children);
}

export function renderStats(s: PreviewStats, act: Actions): HTMLElement {
  const max = Math.max(1, ...s.histogram.counts);
  const bars = h(
    'div',
    { class: 'histogram', attrs: { id: 'histogram', role: 'img', 'aria-label': `Length histogram in ${s.lengthUnit}` } },
    ...s.histogram.counts.map((c, i) => {
      const bar = h('div', { class: 'bar', title: `${s.histogram.edges[i]}–${s.histogram.edges[i + 1] - 1} ${s.lengthUnit}: ${c} records` });
      bar.style.height = `${Math.max(c ? 2 : 0, (c / max) * 100)}%`;
      return bar;
    }),
  );
  const unit = s.lengthUnit === 'tokens' ? `tokens (${s.tokenizer} tokenizer)` : s.lengthNote ? 'characters' : 'characters (no tokenizer found)';
  const cards: HTMLElement[] = [
    card(
      'Records',
      h('div', { class: 'big', attrs: { id: 'stat-records' } }, s.records.toLocaleString()),
      h('div', { class: 'muted', attrs: { id: 'stat-format' } }, s.formatLabel),
      s.invalid ? h('button', { class: 'link error', attrs: { type: 'button' }, on: { click: () => act.filter('errors') } }, `${s.invalid} invalid lines`) : null,
    ),
    card(
      `Length in ${unit}`,
      bars,
      h('div', { class: 'muted axis' }, h('span', {}, String(s.min)), h('span', {}, String(s.max))),
      h('div', { class: 'muted axis-summary' }, `mean ${s.mean.toFixed(0)} · p95 ${s.p95} · max ${s.max}`),
      s.lengthNote ? h('div', { class: 'muted', attrs: { id: 'stat-length-note' } }, s.lengthNote) : null,
    ),
  ];
  if (s.labels) {
    const total = s.labels.reduce((a, l) => a + l.count, 0);
    cards.push(
      card(
        'Labels',
        h(
          'div',
          { class: 'labels', attrs: { id: 'labels' } },
          ...s.labels.slice(0, 12).map((l) => {
            const fill = h('div', { class: 'fill' });
            fill.style.width = `${(l.count / total) * 100}%`;
            return h('div', { class: 'label-row', title: `${l.label}: ${l.count}` }, h('span', { class: 'label-name' }, l.label), h('div', { class: 'track' }, fill), h('span', { class: 'num' }, `${l.count} (${((l.count / total) * 100).toFixed(0)}%)`));
          }),
        ),
      ),
    );
  }
  cards.push(
    card(
      'Duplicates',
      h('div', { class: 'big', attrs: { id: 'dup-count' } }, String(s.duplicates)),
      s.duplicates ? h('button', { class: 'link', attrs: { type: 'button' }, on: { click: () => act.filter('duplicates') } }, 'Show duplicate rows') : h('div', { class: 'muted' }, 'no repeated records'),
    ),
    card(
      'PHI findings',
      h('div', { class: `big${s.phi ? ' warning' : ''}`, attrs: { id: 'phi-count' } }, String(s.phi)),
      s.phi
        ? h(
            'ul',
            { class: 'phi-list', attrs: { id: 'phi-list' } },
            ...s.phiFindings.slice(0, 50).map((f) =>
              h('li', {}, h('button', { class: 'link', attrs: { type: 'button', 'data-line': String(f.line) }, on: { click: () => act.reveal(f.line, f.column) } }, `line ${f.line}:${f.column}`), ` ${f.code.replace('phi_', '')} — ${f.message.replace(/ — remove.*$/, '')}`),
            ),
          )
        : h('div', { class: 'muted' }, 'no Safe Harbor identifiers found'),
      s.phi ? h('button', { class: 'link', attrs: { type: 'button' }, on: { click: () => act.filter('phi') } }, 'Show rows with PHI') : null,
    ),
  );
  return h('div', { class: 'cards' }, ...cards);
}
