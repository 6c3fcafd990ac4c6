// The evaluation results found in a run folder (or an evaluation folder), in the fact sheet's shape:
// the demo's eval-<task>.json + eval-<task>.jsonl, and `clinical-ft eval`'s <dir>/eval/<name>/metrics.json +
// outputs.jsonl (also when <dir> is itself such a folder, e.g. one of Compare's). Each example is joined to
// meta.subgroup of its record in the evaluated data file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { EvalOutput, EvalSummary } from '../../core/protocol/cliOutputs';
import { readRecords } from '../../core/node/validateFile';
import type { EvaluationFacts } from '../../core/factsheet/inputs';

const DemoEval = z.object({
  data: z.string(),
  adapter: z.string().nullable().optional(),
  metrics: z.array(z.object({ metric: z.string(), label: z.string(), value: z.number() })),
});
const DemoExample = z.object({ key: z.string(), score: z.number().nullable().optional() });
const EvalMetricsFile = EvalSummary.omit({ outDir: true }).extend({ data: z.string(), model: z.string().optional(), outDir: z.string().optional() });

/** The subgroup of each record of a data file, by id and by position (the demo keys records without an id by position). */
async function subgroupsOf(dataFile: string): Promise<{ byId: Map<string, string>; byLine: Map<number, string>; byIndex: Map<number, string> }> {
  const byId = new Map<string, string>();
  const byLine = new Map<number, string>();
  const byIndex = new Map<number, string>();
  if (!fs.existsSync(dataFile)) return { byId, byLine, byIndex };
  let index = 0;
  for await (const { line, record } of readRecords(dataFile, { skipInvalid: true })) {
    index++;
    const meta = (record as { meta?: unknown }).meta;
    const g = meta && typeof meta === 'object' ? (meta as Record<string, unknown>).subgroup : undefined;
    if (typeof g !== 'string' && typeof g !== 'number') continue;
    const id = (record as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') byId.set(String(id), String(g));
    byLine.set(line, String(g));
    byIndex.set(index, String(g));
  }
  return { byId, byLine, byIndex };
}

function jsonLines(file: string): unknown[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').flatMap((l) => {
    if (!l.trim()) return [];
    try {
      return [JSON.parse(l)];
    } catch {
      return []; // a torn last line of an interrupted evaluation
    }
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}

async function demoEvaluation(file: string, row: string, source: string): Promise<EvaluationFacts> {
  const parsed = DemoEval.safeParse(readJson(file));
  if (!parsed.success) throw new Error(`${file}: not an evaluation result (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  const groups = await subgroupsOf(parsed.data.data);
  const examples = jsonLines(file.replace(/\.json$/, '.jsonl')).flatMap((raw) => {
    const e = DemoExample.safeParse(raw);
    if (!e.success) return [];
    const k = e.data.key;
    const subgroup = groups.byId.get(k) ?? (/^\d+$/.test(k) ? groups.byIndex.get(Number(k)) : undefined) ?? null;
    return [{ score: e.data.score ?? null, subgroup }];
  });
  return { row, source, dataset: parsed.data.data, metrics: parsed.data.metrics.map((m) => ({ key: m.metric, label: m.label, value: m.value })), examples };
}

async function cliEvaluation(dir: string, row: string, source: string): Promise<EvaluationFacts> {
  const file = path.join(dir, 'metrics.json');
  const parsed = EvalMetricsFile.safeParse(readJson(file));
  if (!parsed.success) throw new Error(`${file}: not a clinical-ft eval metrics.json (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  const s = parsed.data;
  const metrics = s.classification
    ? [
        { key: 'accuracy', label: 'Accuracy', value: s.classification.accuracy },
        { key: 'macroF1', label: 'Macro-F1', value: s.classification.macroF1 },
      ]
    : s.rougeL
      ? [{ key: 'rougeL', label: 'ROUGE-L F', value: s.rougeL.fmeasure }]
      : [];
  const groups = await subgroupsOf(s.data);
  const examples = jsonLines(path.join(dir, 'outputs.jsonl')).flatMap((raw) => {
    const o = EvalOutput.safeParse(raw);
    if (!o.success) return [];
    const subgroup = (o.data.id !== undefined ? groups.byId.get(String(o.data.id)) : undefined) ?? groups.byLine.get(o.data.line) ?? null;
    const score = o.data.correct !== undefined ? (o.data.correct ? 1 : 0) : (o.data.rougeL ?? null);
    return [{ score, subgroup }];
  });
  return { row, source, dataset: s.data, metrics, examples };
}

/** Every evaluation found in `dir`, labelled `row` (the run's method, or "base" for a folder without run.json). */
export async function runEvaluations(dir: string, row: string): Promise<EvaluationFacts[]> {
  const out: EvaluationFacts[] = [];
  const names = fs.readdirSync(dir).sort();
  for (const n of names) if (/^eval-.+\.json$/.test(n)) out.push(await demoEvaluation(path.join(dir, n), row, dir));
  if (fs.existsSync(path.join(dir, 'metrics.json'))) out.push(await cliEvaluation(dir, row, dir));
  const evalDir = path.join(dir, 'eval');
  if (fs.existsSync(evalDir) && fs.statSync(evalDir).isDirectory()) {
    for (const n of fs.readdirSync(evalDir).sort()) {
      const sub = path.join(evalDir, n);
      if (fs.existsSync(path.join(sub, 'metrics.json'))) out.push(await cliEvaluation(sub, row, dir));
    }
  }
  return out;
}
