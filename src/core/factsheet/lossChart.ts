// Training curves as a picture: the geometry of a small line chart computed from [step, value] series, and
// its SVG text. The HTML export inlines the SVG, the Markdown export links it as a file, and the webview
// builds the same shapes with DOM calls — all from this one geometry.

export interface ChartSeries {
  name: string;
  points: [number, number][];
}

export interface ChartGeometry {
  title: string;
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  lines: { name: string; color: string; path: string; dashed: boolean }[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  xLabel: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

function niceTicks(min: number, max: number, count: number): number[] {
  if (min === max) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const tickLabel = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v)) : Number(v.toPrecision(3)).toString());

/** Undefined when no series has a finite point. */
export function chartGeometry(title: string, series: ChartSeries[], xLabel = 'step'): ChartGeometry | undefined {
  const drawn = series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) })).filter((s) => s.points.length > 0);
  if (drawn.length === 0) return undefined;
  const width = 640;
  const height = 280;
  const plot = { left: 56, top: 28, right: width - 16, bottom: height - 40 };
  const xs = drawn.flatMap((s) => s.points.map((p) => p[0]));
  const ys = drawn.flatMap((s) => s.points.map((p) => p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - Math.max(1e-3, Math.abs(y0) * 0.1), y1 + Math.max(1e-3, Math.abs(y1) * 0.1)];
  const sx = (x: number) => plot.left + ((x - x0) / (x1 - x0)) * (plot.right - plot.left);
  const sy = (y: number) => plot.bottom - ((y - y0) / (y1 - y0)) * (plot.bottom - plot.top);
  const r = (v: number) => Math.round(v * 10) / 10;
  const lines = drawn.map((s, i) => ({
    name: s.name,
    color: COLORS[i % COLORS.length],
    dashed: i > 0,
    path: s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${r(sx(x))} ${r(sy(y))}`).join(' '),
  }));
  return {
    title,
    width,
    height,
    plot,
    lines,
    xTicks: niceTicks(x0, x1, 6).map((v) => ({ x: r(sx(v)), label: tickLabel(v) })),
    yTicks: niceTicks(y0, y1, 5).map((v) => ({ y: r(sy(v)), label: tickLabel(v) })),
    xLabel,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Standalone SVG (no external resources, no script, no style element): colours as presentation attributes. */
export function chartSvg(g: ChartGeometry): string {
  const { plot } = g;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${g.width}" height="${g.height}" viewBox="0 0 ${g.width} ${g.height}" role="img" aria-label="${esc(g.title)}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(g.title)}</title>`,
    `<rect x="0" y="0" width="${g.width}" height="${g.height}" fill="#ffffff"/>`,
    `<text x="${plot.left}" y="16" font-size="13" fill="#222222">${esc(g.title)}</text>`,
  ];
  for (const t of g.yTicks) parts.push(`<line x1="${plot.left}" y1="${t.y}" x2="${plot.right}" y2="${t.y}" stroke="#dddddd"/>`, `<text x="${plot.left - 6}" y="${t.y + 4}" text-anchor="end" fill="#444444">${esc(t.label)}</text>`);
  for (const t of g.xTicks) parts.push(`<text x="${t.x}" y="${plot.bottom + 16}" text-anchor="middle" fill="#444444">${esc(t.label)}</text>`);
  parts.push(`<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}" stroke="#888888"/>`);
  parts.push(`<text x="${(plot.left + plot.right) / 2}" y="${g.height - 6}" text-anchor="middle" fill="#444444">${esc(g.xLabel)}</text>`);
  for (const l of g.lines) parts.push(`<path d="${l.path}" fill="none" stroke="${l.color}" stroke-width="1.8"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
  g.lines.forEach((l, i) => {
    const x = plot.right - 150;
    const y = plot.top + 4 + i * 16;
    parts.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`, `<text x="${x + 24}" y="${y + 4}" fill="#222222">${esc(l.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
