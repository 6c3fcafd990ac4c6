import uPlot from 'uplot';
import { EVAL_PREFIX } from '../../src/core/metrics';
import { alignSeries, chartsFor, formatTick, metricLines, type ChartSpec } from '../../src/core/runs/chartSeries';
import type { DashboardRun } from '../../src/core/protocol/dashboard';
import { h } from '../shared/dom';
import { CHART_CHROME_PX, chartLayout, type ChartLayout } from './layout';

/** Theme colors, read from the --vscode-* variables so charts follow light, dark and high-contrast themes. */
function themeColors(): { fg: string; grid: string; bg: string; palette: string[] } {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-foreground', '#888'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.25)')),
    bg: v('--vscode-editor-background', '#1e1e1e'),
    palette: [
      v('--vscode-charts-blue', '#3794ff'),
      v('--vscode-charts-orange', '#d18616'),
      v('--vscode-charts-green', '#89d185'),
      v('--vscode-charts-purple', '#b180d7'),
      v('--vscode-charts-red', '#f14c4c'),
      v('--vscode-charts-yellow', '#cca700'),
    ],
  };
}

interface Line {
  label: string;
  xs: number[];
  ys: number[];
  color: string;
  faint?: boolean;
  dash?: number[];
  points?: boolean;
}

/** The lines of one chart for the shown runs: smoothed signals keep their raw series visible, faint, under the EMA. */
function linesFor(spec: ChartSpec, runs: DashboardRun[], smoothing: number, palette: string[]): Line[] {
  const lines: Line[] = [];
  const multi = runs.length > 1;
  runs.forEach((run, ri) => {
    spec.metrics.forEach((metric, mi) => {
      const color = palette[(multi ? ri : mi) % palette.length];
      const name = multi ? `${metric} · ${run.id}` : metric;
      const dash = multi && mi > 0 ? [6, 4] : undefined;
      for (const l of metricLines(run.records, metric, smoothing)) {
        if (l.kind === 'raw') lines.push({ label: `${name} (raw)`, xs: l.xs, ys: l.ys, color, faint: true });
        else if (l.kind === 'smoothed') lines.push({ label: `${name} (EMA ${smoothing.toFixed(2)})`, xs: l.xs, ys: l.ys, color, dash });
        else lines.push({ label: name, xs: l.xs, ys: l.ys, color, dash, points: metric.startsWith(EVAL_PREFIX) });
      }
    });
  });
  return lines;
}

const STEP_INCREMENTS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** One uPlot chart plus the DOM facts tests and screen readers can see (title, point count). */
class Chart {
  readonly el: HTMLElement;
  private plot: uPlot | undefined;
  private signature = '';

  constructor(readonly spec: ChartSpec) {
    this.el = h('section', { class: 'chart', attrs: { 'data-metric': spec.id, 'data-points': '0' } }, h('h3', {}, spec.title));
  }

  update(runs: DashboardRun[], smoothing: number, width: number, height: number): void {
    const colors = themeColors();
    const lines = linesFor(this.spec, runs, smoothing, colors.palette);
    const aligned = alignSeries(lines.map((l) => ({ xs: l.xs, ys: l.ys })));
    const points = lines.filter((l) => !l.faint || lines.length === 1).reduce((n, l) => n + l.xs.length, 0);
    this.el.setAttribute('data-points', String(points));
    this.el.setAttribute('data-series', lines.map((l) => l.label).join('\n'));
    this.el.setAttribute('data-last-step', String(aligned.x.at(-1) ?? ''));
    this.el.hidden = lines.length === 0;
    const signature = `${lines.map((l) => `${l.label}|${l.color}`).join(';')}|${colors.fg}|${colors.grid}`;
    const data = [aligned.x, ...aligned.ys] as uPlot.AlignedData;
    if (this.plot && signature === this.signature) {
      this.plot.setData(data);
      if (Math.abs(this.plot.width - width) > 1 || Math.abs(this.plot.height - height) > 1) this.plot.setSize({ width, height });
      return;
    }
    this.plot?.destroy();
    this.signature = signature;
    if (!lines.length) {
      this.plot = undefined;
      return;
    }
    const axis = { stroke: colors.fg, grid: { stroke: withAlpha(colors.grid, 0.35), width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    this.plot = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false } },
        // Steps are integers: no 1.25-step ticks on short runs.
        axes: [{ ...axis, label: 'step', labelSize: 18, labelGap: 0, incrs: STEP_INCREMENTS }, { ...axis, size: 64, values: (_u: uPlot, splits: number[]) => splits.map(formatTick) }],
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
        series: [
          { label: 'step' },
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.faint ? withAlpha(l.color, 0.3) : l.color,
            width: l.faint ? 1 : 2,
            dash: l.dash,
            spanGaps: true,
            points: { show: l.points ?? false, size: 5 },
          })),
        ],
      },
      data,
      this.el,
    );
  }

  /** Height of everything but the plot (title, legend), once drawn. */
  get chrome(): number | undefined {
    return this.plot && !this.el.hidden ? this.el.offsetHeight - this.plot.height : undefined;
  }

  get canvas(): HTMLCanvasElement | undefined {
    return this.plot?.ctx.canvas;
  }

  destroy(): void {
    this.plot?.destroy();
    this.el.remove();
  }
}

/** The grid of charts; preference charts appear only when a shown run is of a method that writes them. */
export class ChartGrid {
  private charts: Chart[] = [];
  /** Height of a chart's title and legend, measured after each layout (the first one uses an estimate). */
  private chrome = CHART_CHROME_PX;

  constructor(private readonly container: HTMLElement) {}

  render(runs: DashboardRun[], smoothing: number): void {
    const wanted = chartsFor(runs.map((r) => r.method));
    if (wanted.map((c) => c.id).join() !== this.charts.map((c) => c.spec.id).join()) {
      this.charts.forEach((c) => c.destroy());
      this.charts = wanted.map((spec) => new Chart(spec));
      this.container.append(...this.charts.map((c) => c.el));
    }
    const visible = this.charts.filter((c) => runs.some((r) => c.spec.metrics.some((m) => r.records.some((rec) => typeof (rec as Record<string, unknown>)[m] === 'number'))));
    // The grid fills the panel from where it starts to the bottom of the window (the toolbar and legend above it scroll away).
    const width = Math.max(240, this.container.clientWidth);
    const height = Math.max(240, window.innerHeight - Math.max(0, this.container.getBoundingClientRect().top + window.scrollY) - 8);
    let layout = chartLayout(visible.length, width, height, this.chrome);
    this.applyLayout(layout, width, height, visible.length);
    for (const c of this.charts) c.update(runs, smoothing, layout.chartWidth, layout.chartHeight);
    // The title and uPlot's legend (which wraps with many series) take what they take: measure them and lay out
    // once more when the estimate was off, so the last row is not pushed below the panel.
    const measured = Math.max(0, ...visible.map((c) => c.chrome ?? 0));
    if (measured > 0 && Math.abs(measured - this.chrome) > 4) {
      this.chrome = measured;
      layout = chartLayout(visible.length, width, height, this.chrome);
      this.applyLayout(layout, width, height, visible.length);
      for (const c of this.charts) c.update(runs, smoothing, layout.chartWidth, layout.chartHeight);
    }
    this.container.setAttribute('data-fits', String(this.container.getBoundingClientRect().bottom <= window.innerHeight + 1));
  }

  private applyLayout(layout: ChartLayout, width: number, height: number, count: number): void {
    this.container.style.setProperty('--columns', String(layout.columns));
    this.container.setAttribute('data-columns', String(layout.columns));
    // For tests and screen readers: what the grid had to fill and the size each chart got.
    this.container.setAttribute('data-space', `${Math.round(width)}x${Math.round(height)}`);
    this.container.setAttribute('data-chart-size', `${layout.chartWidth}x${layout.chartHeight}`);
    this.container.setAttribute('data-charts', String(count));
  }

  /** Forces a rebuild (theme changed: colors are baked into the canvases). */
  reset(): void {
    this.charts.forEach((c) => c.destroy());
    this.charts = [];
  }

  /** All visible charts stacked into one PNG, on the theme's background, with their titles. */
  toPng(): string {
    const visible = this.charts.filter((c) => !c.el.hidden && c.canvas);
    const colors = themeColors();
    const title = 24;
    const width = Math.max(1, ...visible.map((c) => c.canvas!.width));
    const height = visible.reduce((n, c) => n + c.canvas!.height + title, 0) || 1;
    const out = document.createElement('canvas');
    out.width = width;
    out.height = height;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = colors.bg;
    ctx.fillRect(0, 0, width, height);
    let y = 0;
    for (const c of visible) {
      ctx.fillStyle = colors.fg;
      ctx.font = '14px sans-serif';
      ctx.fillText(c.spec.title, 8, y + 17);
      ctx.drawImage(c.canvas!, 0, y + title);
      y += c.canvas!.height + title;
    }
    return out.toDataURL('image/png');
  }
}
