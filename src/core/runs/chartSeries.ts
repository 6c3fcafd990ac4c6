import { evalMetric, METRIC, type MetricsRecord } from '../metrics';
import type { Method } from '../preferences/methods';

/** A chart of the dashboard: which metric names it plots and for which methods. */
export interface ChartSpec {
  id: string;
  title: string;
  metrics: string[];
  /** Shown only when a run of one of these methods is on screen; absent: always. */
  methods?: readonly Method[];
}

const PAIRED: Method[] = ['dpo', 'orpo', 'simpo'];

/** The charts a set of runs needs (preference charts only for the methods that write them). */
export function chartsFor(methods: readonly string[]): ChartSpec[] {
  return CHARTS.filter((c) => !c.methods || c.methods.some((m) => methods.includes(m)));
}

export const CHARTS: ChartSpec[] = [
  { id: 'loss', title: 'Loss', metrics: [METRIC.loss, evalMetric(METRIC.loss)] },
  { id: 'lr', title: 'Learning rate', metrics: [METRIC.learningRate] },
  { id: 'grad_norm', title: 'Grad norm', metrics: [METRIC.gradNorm] },
  { id: 'tps', title: 'Tokens / s', metrics: [METRIC.tokensPerSecond] },
  { id: 'rewards', title: 'Rewards (chosen / rejected)', metrics: [METRIC.rewardsChosen, METRIC.rewardsRejected], methods: [...PAIRED, 'kto'] },
  { id: 'margins', title: 'Reward margins', metrics: [METRIC.rewardsMargins], methods: [...PAIRED, 'kto'] },
  { id: 'accuracies', title: 'Reward accuracies', metrics: [METRIC.rewardsAccuracies], methods: PAIRED },
  { id: 'kl', title: 'KL estimate', metrics: [METRIC.kl], methods: ['kto'] },
  { id: 'odds', title: 'Log odds ratio', metrics: [METRIC.logOddsRatio, METRIC.logOddsChosen], methods: ['orpo'] },
  { id: 'nll', title: 'NLL loss (chosen)', metrics: [METRIC.nllLoss], methods: ['orpo'] },
];

/** (step, value) pairs of one metric, in step order, skipping lines that do not carry it. */
export function seriesOf(records: readonly MetricsRecord[], metric: string): { steps: number[]; values: number[] } {
  const steps: number[] = [];
  const values: number[] = [];
  for (const r of records) {
    const v = (r as Record<string, unknown>)[metric];
    if (typeof v === 'number' && Number.isFinite(v)) {
      steps.push(r.step);
      values.push(v);
    }
  }
  return { steps, values };
}

/**
 * Exponential moving average as TensorBoard smooths: debiased so the first points are not dragged
 * toward zero. weight 0 = raw, 0.99 = very smooth.
 */
export function ema(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out: number[] = [];
  let last = 0;
  let n = 0;
  for (const v of values) {
    last = last * w + (1 - w) * v;
    n++;
    out.push(w === 0 ? v : last / (1 - Math.pow(w, n)));
  }
  return out;
}

/**
 * Per-batch signals too noisy to read raw: train loss, and DPO reward accuracy (a fraction of a few pairs per
 * batch, so it jumps between 0, 0.25, 0.5…). Charts draw their EMA over the raw series, which stays faint.
 */
export const SMOOTHED_METRICS: readonly string[] = [METRIC.loss, METRIC.rewardsAccuracies];

/** One line of a chart: a metric as recorded, its raw series under a smoothed one, or the smoothed one. */
export interface MetricLine {
  metric: string;
  kind: 'plain' | 'raw' | 'smoothed';
  xs: number[];
  ys: number[];
}

/** The lines a chart draws for one metric of one run (the one place that decides what is smoothed). */
export function metricLines(records: readonly MetricsRecord[], metric: string, smoothing: number): MetricLine[] {
  const { steps, values } = seriesOf(records, metric);
  if (!steps.length) return [];
  if (!SMOOTHED_METRICS.includes(metric) || smoothing <= 0) return [{ metric, kind: 'plain', xs: steps, ys: values }];
  return [
    { metric, kind: 'raw', xs: steps, ys: values },
    { metric, kind: 'smoothed', xs: steps, ys: ema(values, smoothing) },
  ];
}

/**
 * Aligns several series on the union of their x values for uPlot (one x array, null where a series has
 * no point), which is what lets runs of different lengths share a chart.
 */
export function alignSeries(series: readonly { xs: readonly number[]; ys: readonly number[] }[]): { x: number[]; ys: (number | null)[][] } {
  const xSet = new Set<number>();
  for (const s of series) for (const x of s.xs) xSet.add(x);
  const x = [...xSet].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array(x.length).fill(null);
    s.xs.forEach((xv, i) => {
      col[index.get(xv)!] = s.ys[i];
    });
    return col;
  });
  return { x, ys };
}

/** Tick labels that stay readable from learning rates (2e-4) to token counts (1.2k). */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-2 || a >= 1e6) return v.toExponential(1).replace('.0e', 'e');
  if (a >= 1e4) return `${+(v / 1000).toFixed(1)}k`;
  return String(+v.toPrecision(3));
}

/**
 * At most about `max` train records for a dashboard snapshot: every k-th train line plus the last one, and
 * every eval line (they are few and each matters). A chart cannot show more points than it has pixels, and
 * a long run's full history would make the snapshot message slow.
 */
export function decimateRecords<T extends { step: number }>(records: readonly T[], max: number, isEval: (r: T) => boolean): T[] {
  const train = records.filter((r) => !isEval(r));
  if (train.length <= max) return [...records];
  const k = Math.ceil(train.length / max);
  const lastTrain = train[train.length - 1];
  let i = 0;
  return records.filter((r) => {
    if (isEval(r)) return true;
    const keep = i % k === 0 || r === lastTrain;
    i++;
    return keep;
  });
}
