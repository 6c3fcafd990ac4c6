// Reads what `clinical-ft eval --json` prints (metrics plus per-example outputs) into the Compare panel's
// shape, and joins several models' evaluations of one dataset into a Comparison. Field names are read
// leniently (prompt/input, gold/reference/expected, output/prediction/generated) so the panel keeps
// working if the evaluator adds or renames a field.
import type { ComparedExample, ComparedModel, Comparison } from './comparison';
import { scoreExample, taskMetrics, type TaskId } from './taskScoring';

export interface ModelEvaluation {
  metrics: Record<string, number>;
  examples: { key: string; prompt: string; gold: string; output: string; predicted?: string | null; score?: number | null }[];
}

const pick = (o: Record<string, unknown>, names: string[]): unknown => names.map((n) => o[n]).find((v) => v !== undefined);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) ? v.map((m) => (m && typeof m === 'object' ? String((m as { content?: unknown }).content ?? '') : String(m))).join('\n') : undefined;

function flattenNumbers(o: Record<string, unknown>, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[prefix + k] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && prefix === '') flattenNumbers(v as Record<string, unknown>, `${k}.`, out);
  }
  return out;
}

/**
 * Parses eval JSON; throws a message naming what is missing when it is not an evaluation. When the
 * per-example outputs are not inline but in `<outDir>/outputs.jsonl`, `readOutputs(outDir)` supplies them.
 */
export function parseEvalJson(raw: string, source: string, readOutputs?: (outDir: string) => string | undefined): ModelEvaluation {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${source}: the evaluator did not print JSON (${raw.slice(0, 120).trim() || 'no output'})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${source}: expected a JSON object`);
  const o = json as Record<string, unknown>;
  let list = pick(o, ['examples', 'outputs', 'predictions', 'results', 'records']);
  if (!Array.isArray(list) && typeof o.outDir === 'string' && readOutputs) {
    const lines = readOutputs(o.outDir);
    if (lines !== undefined) {
      list = lines.split('\n').filter((l) => l.trim()).flatMap((l) => {
        try {
          return [JSON.parse(l) as unknown];
        } catch {
          return []; // a torn last line of an interrupted evaluation
        }
      });
    }
  }
  if (!Array.isArray(list)) throw new Error(`${source}: no per-example outputs (expected an "examples" array)`);
  const metricsObj = pick(o, ['metrics', 'summary']);
  const metrics = flattenNumbers(metricsObj && typeof metricsObj === 'object' ? (metricsObj as Record<string, unknown>) : o);
  for (const k of Object.keys(metrics)) if (/(^|\.)(count|examples|n|line|seconds|support|unparsed)$/i.test(k)) delete metrics[k];
  const examples = list.map((item, i) => {
    const e = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const key = pick(e, ['id', 'key', 'line']);
    const predicted = pick(e, ['predicted', 'predictedLabel', 'predicted_label', 'label_predicted']);
    const score = pick(e, ['score', 'rougeL', 'rouge_l', 'correct']);
    return {
      key: key === undefined ? String(i + 1) : String(key),
      prompt: text(pick(e, ['prompt', 'input', 'messages'])) ?? '',
      gold: text(pick(e, ['gold', 'reference', 'expected', 'target', 'label', 'completion'])) ?? '',
      output: text(pick(e, ['output', 'prediction', 'generated', 'generation', 'response'])) ?? '',
      ...(typeof predicted === 'string' || predicted === null ? { predicted: predicted as string | null } : {}),
      ...(typeof score === 'number' ? { score } : typeof score === 'boolean' ? { score: score ? 1 : 0 } : {}),
    };
  });
  return { metrics, examples };
}

/** The study task a dataset belongs to, from its file name (datasets-sample naming). */
export function taskOfDataset(file: string): TaskId | undefined {
  const base = file.split(/[\\/]/).pop()!.toLowerCase();
  if (base.includes('uti')) return 'uti';
  if (base.includes('triage')) return 'triage';
  if (base.includes('reasoning')) return 'reasoning';
  if (base.includes('summar')) return 'summarization';
  return undefined;
}

/**
 * Joins evaluations (one per model, same dataset) by example key. For the study's tasks the outputs are
 * also scored with the demo's metrics, so the panel and `npm run demo` report the same numbers.
 */
export function buildComparison(dataset: string, models: ComparedModel[], evals: (ModelEvaluation | undefined)[]): Comparison {
  const task = taskOfDataset(dataset);
  const order: string[] = [];
  const byKey = new Map<string, ComparedExample>();
  evals.forEach((ev, mi) => {
    for (const e of ev?.examples ?? []) {
      let row = byKey.get(e.key);
      if (!row) {
        row = { key: e.key, prompt: e.prompt, gold: e.gold, outputs: models.map(() => null), predicted: models.map(() => null), scores: models.map(() => null) };
        byKey.set(e.key, row);
        order.push(e.key);
      }
      row.outputs[mi] = e.output;
      const scored = task ? scoreExample(task, e.gold, e.output) : undefined;
      row.predicted![mi] = scored ? scored.predicted : e.predicted ?? null;
      row.scores![mi] = scored ? scored.score : e.score ?? null;
    }
  });
  const examples = order.map((k) => byKey.get(k)!);
  if (!task && examples.every((ex) => ex.predicted!.every((p) => p === null))) examples.forEach((ex) => delete ex.predicted);

  const names = new Set<string>();
  evals.forEach((ev) => Object.keys(ev?.metrics ?? {}).forEach((n) => names.add(n)));
  const metrics: Comparison['metrics'] = [];
  if (task) {
    const perModel = evals.map((ev) => (ev ? taskMetrics(task, ev.examples) : []));
    const labels = perModel.find((m) => m.length)?.map((m) => m.label) ?? [];
    for (const label of labels) metrics.push({ name: label, values: perModel.map((ms) => ms.find((m) => m.label === label)?.value ?? null) });
  }
  for (const name of [...names].sort()) metrics.push({ name: `eval: ${name}`, values: evals.map((ev) => ev?.metrics[name] ?? null) });
  return { dataset, models, metrics, examples };
}
