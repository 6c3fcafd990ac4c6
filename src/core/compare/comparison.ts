// Side-by-side comparison of several models (a base and its adapters) evaluated on one dataset: metrics
// per model and per-example outputs next to the gold answer. Shared by the Compare panel, its export and
// the demo, so the three agree on what a "disagreement" is.
import { z } from 'zod';
import { csvLine, formatNumber, markdownTable } from './tableText';

export const ComparedModel = z.object({
  /** Short column name, e.g. "base", "SFT", "DPO" or a run id. */
  name: z.string(),
  modelDir: z.string(),
  adapterDir: z.string().optional(),
});
export type ComparedModel = z.infer<typeof ComparedModel>;

export const ComparedExample = z.object({
  /** The record's id, else its 1-based line in the dataset. */
  key: z.string(),
  prompt: z.string(),
  gold: z.string(),
  /** One per model, same order as `models`; null when that model has no output for this example. */
  outputs: z.array(z.string().nullable()),
  /** The label each output names, for classification sets. */
  predicted: z.array(z.string().nullable()).optional(),
  /** Per-output score (1/0 correctness, or ROUGE-L F) when known. */
  scores: z.array(z.number().nullable()).optional(),
});
export type ComparedExample = z.infer<typeof ComparedExample>;

export const Comparison = z.object({
  dataset: z.string(),
  models: z.array(ComparedModel),
  /** metric name → one value per model (null when that model lacks it). */
  metrics: z.array(z.object({ name: z.string(), values: z.array(z.number().nullable()) })),
  examples: z.array(ComparedExample),
});
export type Comparison = z.infer<typeof Comparison>;

const normalize = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Models disagree on an example when their answers differ: the extracted labels when the set has labels,
 * otherwise (and for an answer no label could be read from) the normalized text — two different texts
 * without a label are different answers, not the same "no label". Missing outputs do not count.
 */
export function isDisagreement(ex: ComparedExample): boolean {
  const answers = ex.outputs.flatMap((o, i) => {
    if (o === null) return [];
    const label = ex.predicted?.[i];
    return [typeof label === 'string' ? `label:${label}` : `text:${normalize(o)}`];
  });
  return new Set(answers).size > 1;
}

/** The wording of the disagreement filter: what is compared, and how many examples it keeps. */
export function disagreementFilterLabel(c: Comparison): string {
  const n = c.examples.filter(isDisagreement).length;
  const byLabel = c.examples.some((ex) => ex.predicted?.some((p) => typeof p === 'string'));
  return `Only examples where the models' answers differ (${n} of ${c.examples.length}, compared by ${byLabel ? 'extracted label' : 'text'})`;
}

export function filterExamples(c: Comparison, opts: { onlyDisagreements: boolean; search?: string }): ComparedExample[] {
  const q = opts.search?.trim().toLowerCase();
  return c.examples.filter(
    (ex) =>
      (!opts.onlyDisagreements || isDisagreement(ex)) &&
      (!q || [ex.key, ex.prompt, ex.gold, ...ex.outputs].some((t) => t !== null && t.toLowerCase().includes(q))),
  );
}

function metricsTable(c: Comparison): string {
  return markdownTable(
    ['Metric', ...c.models.map((m) => m.name)],
    c.metrics.map((m) => [m.name, ...m.values.map((v) => (v === null ? '—' : v.toFixed(3)))]),
  );
}

export function comparisonMarkdown(c: Comparison, opts: { onlyDisagreements: boolean }): string {
  const examples = filterExamples(c, opts);
  const models = c.models.map((m) => `- **${m.name}**: ${m.modelDir}${m.adapterDir ? ` + adapter ${m.adapterDir}` : ''}`);
  const rows = examples.map((ex) => [ex.key, ex.prompt, ex.gold, ...ex.outputs.map((o) => o ?? '—')]);
  return [
    `# Comparison on ${c.dataset}`,
    '',
    ...models,
    '',
    '## Metrics',
    '',
    metricsTable(c),
    '',
    `## Examples (${examples.length}${opts.onlyDisagreements ? ' where the models disagree' : ''} of ${c.examples.length})`,
    '',
    markdownTable(['Id', 'Prompt', 'Gold', ...c.models.map((m) => m.name)], rows),
    '',
  ].join('\n');
}

/** One line per example: key, prompt, gold, then output, predicted label and score per model. */
export function comparisonCsv(c: Comparison, opts: { onlyDisagreements: boolean }): string {
  const header = ['key', 'prompt', 'gold', ...c.models.flatMap((m) => [`${m.name} output`, `${m.name} predicted`, `${m.name} score`])];
  const lines = [csvLine(header)];
  for (const ex of filterExamples(c, opts)) {
    lines.push(
      csvLine([
        ex.key, ex.prompt, ex.gold,
        ...c.models.flatMap((_, i) => [ex.outputs[i], ex.predicted?.[i] ?? null, ex.scores?.[i] == null ? null : formatNumber(ex.scores[i]!)]),
      ]),
    );
  }
  return lines.join('\n') + '\n';
}
