/** First estimate of the space around each chart's plot (title above, uPlot's legend below); measured after. */
export const CHART_CHROME_PX = 90;
export const GRID_GAP_PX = 16;
const MIN_WIDTH = 320;
const MIN_HEIGHT = 120;
/** Wider than tall, but not a strip: at most this height per unit of width. */
const MAX_ASPECT = 0.75;

export interface ChartLayout {
  columns: number;
  chartWidth: number;
  chartHeight: number;
}

/**
 * Columns and chart size that use the panel: among the column counts whose charts fit the visible height, the
 * one with the largest charts; when none fits (a short panel, many charts), the one that overflows least.
 */
export function chartLayout(count: number, width: number, height: number, chrome = CHART_CHROME_PX): ChartLayout {
  const n = Math.max(1, count);
  const maxColumns = Math.max(1, Math.min(n, Math.floor((width + GRID_GAP_PX) / (MIN_WIDTH + GRID_GAP_PX))));
  let best: (ChartLayout & { overflow: number; area: number }) | undefined;
  for (let columns = 1; columns <= maxColumns; columns++) {
    const rows = Math.ceil(n / columns);
    const chartWidth = Math.floor((width - GRID_GAP_PX * (columns - 1)) / columns);
    const fill = Math.floor((height - GRID_GAP_PX * (rows - 1)) / rows) - chrome;
    const chartHeight = Math.max(MIN_HEIGHT, Math.min(fill, Math.floor(chartWidth * MAX_ASPECT)));
    const overflow = Math.max(0, rows * (chartHeight + chrome) + GRID_GAP_PX * (rows - 1) - height);
    const area = chartWidth * chartHeight;
    if (!best || overflow < best.overflow || (overflow === best.overflow && area > best.area)) best = { columns, chartWidth, chartHeight, overflow, area };
  }
  return { columns: best!.columns, chartWidth: best!.chartWidth, chartHeight: best!.chartHeight };
}
