// Reads what `clinical-ft eval --json` prints (the summary; per-example lines in <outDir>/outputs.jsonl) with the
// schemas the CLI writes them with (src/core/protocol/cliOutputs.ts), into the Compare panel's shape, and joins
// several models' evaluations of one dataset into a Comparison.
import { z } from 'zod';
import type { ComparedExample, ComparedModel, Comparison } from './comparison';
import { scoreExample, taskMetrics, type TaskId } from './taskScoring';
import { EvalOutput, EvalSummary } from '../protocol/cliOutputs';

export interface ModelEvaluation {
  metrics: Record<string, number>;
  examples: { key: string; prompt: string; gold: string; output: string; predicted?: string | null; score?: number | null }[];
}

/** The summary's headline numbers: accuracy and macro-F1, or ROUGE-L precision/recall/F. */
function summaryMetrics(s: EvalSummary): Record<string, number> {
  const out: Record<string, number> = {};
  if (s.classification) Object.assign(out, { 'classification.accuracy': s.classification.accuracy, 'classification.macroF1': s.classification.macroF1 });
  if (s.rougeL) for (const [k, v] of Object.entries(s.rougeL)) out[`rougeL.${k}`] = v;
  return out;
}

/**
 * Parses `eval --json`; throws a message naming what is wrong when it is not an evaluation. `readOutputs(outDir)`
 * supplies `<outDir>/outputs.jsonl` (a torn last line of an interrupted evaluation is skipped).
 */
export function parseEvalJson(raw: string, source: string, readOutputs?: (outDir: string) => string | undefined): ModelEvaluation {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${source}: the evaluator did not print JSON (${raw.slice(0, 120).trim() || 'no output'})`);
  }
  const summary = EvalSummary.safeParse(json);
  if (!summary.success) throw new Error(`${source}: not an evaluation summary (${z.prettifyError(summary.error).split('\n').slice(0, 2).join(' ')})`);
  const lines = readOutputs?.(summary.data.outDir);
  if (lines === undefined) throw new Error(`${source}: no per-example outputs (${summary.data.outDir}/outputs.jsonl is missing)`);
  const examples = lines.split('\n').filter((l) => l.trim()).flatMap((l) => {
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      return []; // a torn last line of an interrupted evaluation
    }
    const e = EvalOutput.safeParse(value);
    if (!e.success) throw new Error(`${source}: outputs.jsonl has a line that is not an evaluation output (${z.prettifyError(e.error).split('\n')[0]})`);
    const o = e.data;
    return [{
      key: String(o.id ?? o.line),
      prompt: o.prompt,
      gold: o.reference,
      output: o.output,
      ...(o.predicted_label !== undefined ? { predicted: o.predicted_label } : {}),
      ...(o.rougeL !== undefined ? { score: o.rougeL } : o.correct !== undefined ? { score: o.correct ? 1 : 0 } : {}),
    }];
  });
  return { metrics: summaryMetrics(summary.data), examples };
}

/** The study task a dataset belongs to, from its file name (datasets-sample naming). */
export function taskOfDataset(file: string): TaskId | undefined {
  const base = file.split(/[\\/]/).pop()!.toLowerCase();
  if (base.includes('riverbend')) return 'policy';
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
