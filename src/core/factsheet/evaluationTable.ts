// The fact sheet's evaluation table: one row per model (base, SFT, DPO, …), one column per dataset × metric,
// each cell the mean ± sample sd over the runs selected for that row (seeds), and the same per subgroup
// (meta.subgroup of the eval records). The statistics are the study table's (src/core/compare/studyTable.ts).
import { formatSummary, summarize, type Summary } from '../compare/studyTable';
import type { EvaluationFacts } from './inputs';

/** The file name of a path written on any platform. */
export const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** Rows read base → SFT → DPO, then anything else in the order first seen. */
const ROW_ORDER = ['base', 'SFT', 'DPO'];

export interface EvalCell {
  values: number[];
  summary: Summary | undefined;
}

export interface EvalTable {
  columns: { dataset: string; key: string; label: string }[];
  rows: { model: string; cells: EvalCell[] }[];
}

function orderRows(evals: EvaluationFacts[]): string[] {
  const seen = [...new Set(evals.map((e) => e.row))];
  return [...ROW_ORDER.filter((r) => seen.includes(r)), ...seen.filter((r) => !ROW_ORDER.includes(r))];
}

export function evaluationTable(evals: EvaluationFacts[]): EvalTable {
  const columns: EvalTable['columns'] = [];
  const colIndex = new Map<string, number>();
  for (const e of evals) {
    for (const m of e.metrics) {
      const id = `${baseName(e.dataset)}\u0000${m.key}`;
      if (!colIndex.has(id)) {
        colIndex.set(id, columns.length);
        columns.push({ dataset: baseName(e.dataset), key: m.key, label: m.label });
      }
    }
  }
  const rows = orderRows(evals).map((model) => {
    const values = columns.map(() => [] as number[]);
    for (const e of evals.filter((x) => x.row === model)) {
      for (const m of e.metrics) values[colIndex.get(`${baseName(e.dataset)}\u0000${m.key}`)!].push(m.value);
    }
    return { model, cells: values.map((v) => ({ values: v, summary: summarize(v) })) };
  });
  return { columns, rows };
}

export interface SubgroupTable {
  /** Subgroup names, sorted. */
  subgroups: string[];
  /** Per model row: per subgroup the mean per-example score of each evaluation, summarized over evaluations; n = examples. */
  rows: { model: string; cells: { summary: Summary | undefined; examples: number }[] }[];
}

/** Undefined when no evaluated example carries a subgroup. */
export function subgroupTable(evals: EvaluationFacts[]): SubgroupTable | undefined {
  const subgroups = [...new Set(evals.flatMap((e) => e.examples.flatMap((x) => (x.subgroup !== null ? [x.subgroup] : []))))].sort();
  if (subgroups.length === 0) return undefined;
  const rows = orderRows(evals).map((model) => {
    const mine = evals.filter((e) => e.row === model);
    const cells = subgroups.map((g) => {
      const perEval: number[] = [];
      let examples = 0;
      for (const e of mine) {
        const scores = e.examples.filter((x) => x.subgroup === g && x.score !== null).map((x) => x.score!);
        if (scores.length === 0) continue;
        examples += scores.length;
        perEval.push(scores.reduce((a, b) => a + b, 0) / scores.length);
      }
      return { summary: summarize(perEval), examples };
    });
    return { model, cells };
  });
  return { subgroups, rows };
}

/** "0.812 ± 0.031 (n=3)" or "0.812" or "—": the study table's cell text. */
export const cellText = (c: { summary: Summary | undefined }): string => formatSummary(c.summary);
