// The Markdown and the self-contained HTML page of a fact sheet document (src/core/factsheet/document.ts).
// HTML: inline SVG charts and an inline style sheet; no script, no external resource of any kind.
import { markdownCell, markdownTable } from '../compare/tableText';
import { NOT_ANSWERED } from './answers';
import { chartSvg } from './lossChart';
import type { Block, FactSheetDoc } from './document';

/** Markdown text: no raw HTML from the data survives (pipes, newlines and angle brackets are escaped). */
const mdText = (s: string) => s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));

function mdBlock(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return mdText(b.text);
    case 'facts':
      return markdownTable(['Field', 'Value'], b.rows.map(([k, v]) => [mdText(k), mdText(v)]));
    case 'table':
      return markdownTable(b.header.map(mdText), b.rows.map((r) => r.map(mdText)));
    case 'chart':
      return `![${markdownCell(b.chart.title)}](${b.file})`;
    case 'answer':
      return `**${mdText(b.label)}:** ${b.value === null ? `_${NOT_ANSWERED}_` : mdText(b.value).replace(/\r?\n/g, '  \n')}`;
  }
}

export function factSheetMarkdown(doc: FactSheetDoc): string {
  const out = [`# ${mdText(doc.title)}`, '', `_${mdText(doc.subtitle)}_`, ''];
  for (const s of doc.sections) {
    out.push(`## ${mdText(s.title)}`, '');
    for (const b of s.blocks) out.push(mdBlock(b), '');
  }
  return out.join('\n');
}

/** The SVG files a Markdown export links to: name → content. */
export function markdownCharts(doc: FactSheetDoc): Map<string, string> {
  const files = new Map<string, string>();
  for (const s of doc.sections) for (const b of s.blocks) if (b.kind === 'chart') files.set(b.file, chartSvg(b.chart));
  return files;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const htmlCells = (cells: string[], tag: 'td' | 'th') => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;

function htmlBlock(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${esc(b.text)}</p>`;
    case 'facts':
      return `<table class="facts"><tbody>${b.rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
    case 'table':
      return `<table><thead>${htmlCells(b.header, 'th')}</thead><tbody>${b.rows.map((r) => htmlCells(r, 'td')).join('')}</tbody></table>`;
    case 'chart':
      return `<figure>${chartSvg(b.chart)}</figure>`;
    case 'answer':
      return `<div class="answer"><h3>${esc(b.label)}</h3>${b.value === null ? `<p class="missing">${esc(NOT_ANSWERED)}</p>` : `<p class="written">${esc(b.value)}</p>`}</div>`;
  }
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;word-break:break-word}
thead th{background:#f0f0f0}.facts th{background:#fafafa;font-weight:600}.missing{color:#a33;font-style:italic}.written{white-space:pre-wrap}
.answer h3{font-size:1rem;margin:.75rem 0 .25rem}figure{margin:.5rem 0}`;

export function factSheetHtml(doc: FactSheetDoc): string {
  const body = doc.sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.blocks.map(htmlBlock).join('\n')}</section>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(doc.title)}</h1>
<p><em>${esc(doc.subtitle)}</em></p>
${body}
</body>
</html>
`;
}
