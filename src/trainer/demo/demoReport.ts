// The demo's results.md: the measured table, the issue's two checks computed from it, and the published
// numbers beside it for shape only (they are never mixed into the measured table).
import { compareRows, studyMarkdown, type StudyTable } from '../../core/compare/studyTable';
import { STUDY_COLUMNS } from '../../core/compare/taskScoring';

export const MODEL_ROWS = ['base', 'SFT', 'DPO'] as const;
export type ModelRow = (typeof MODEL_ROWS)[number];

/** Collects per-seed values as runs finish. */
export class ResultGrid {
  private readonly values = new Map<string, number[]>();

  add(row: ModelRow, metric: string, value: number): void {
    const key = `${row}/${metric}`;
    this.values.set(key, [...(this.values.get(key) ?? []), value]);
  }

  table(): StudyTable {
    return {
      columns: STUDY_COLUMNS,
      rows: MODEL_ROWS.map((model) => ({ model, cells: STUDY_COLUMNS.map((c) => this.values.get(`${model}/${c.metric}`) ?? []) })),
    };
  }
}

const sign = (x: number) => (x >= 0 ? `+${x.toFixed(3)}` : x.toFixed(3));

export function checksMarkdown(table: StudyTable): string[] {
  const col = (metric: string) => table.columns.findIndex((c) => c.metric === metric);
  const lines: string[] = [];
  const uti = compareRows(table, 'SFT', 'base', col('macroF1'));
  if (uti) {
    const ok = uti.difference >= 0.2;
    lines.push(`- SFT vs base, UTI classification F1: ${sign(uti.difference)} (target ≥ +0.2) — **${ok ? 'met' : 'not met'}**`);
  }
  let anyClear = false;
  for (const metric of ['urgencyMacroF1', 'responderMacroF1', 'accuracy', 'rougeL']) {
    const c = compareRows(table, 'DPO', 'SFT', col(metric));
    if (!c) continue;
    anyClear ||= c.clear;
    lines.push(`- DPO vs SFT, ${c.column.label}: ${sign(c.difference)}, seed-to-seed spread ${c.spread.toFixed(3)} — ${c.clear ? '**beats the spread**' : 'within the spread or worse'}`);
  }
  if (lines.length > 1) lines.push(`- DPO beats SFT by more than the run-to-run spread on at least one of triage/reasoning/summarization: **${anyClear ? 'yes' : 'no'}**`);
  return lines;
}

export interface DemoFacts {
  model: string;
  seeds: number[];
  budget: Record<string, unknown>;
  minutes: number;
  backend: string;
  /** Training pipelines run at once. */
  jobs?: number;
  complete: boolean;
}

export function resultsMarkdown(table: StudyTable, facts: DemoFacts): string {
  return [
    `# Clinical FT demo: base vs SFT vs DPO`,
    '',
    `Model \`${facts.model}\`, backend ${facts.backend}, seeds ${facts.seeds.join(', ')}, ${facts.minutes.toFixed(1)} min${facts.jobs ? ` (${facts.jobs} pipelines at a time)` : ''}${facts.complete ? '' : ' — **incomplete: the demo stopped early**'}.`,
    'Every number below was measured by this run on the held-out splits of datasets-sample/ (greedy decoding).',
    'Cells are mean ± sample standard deviation over seeds (n = seeds); the base model is deterministic (one value).',
    '',
    studyMarkdown(table),
    '',
    '## Checks (issue 8)',
    '',
    ...checksMarkdown(table),
    '',
    '## For shape only: the published result (Savage et al., JMIR 2025, real clinical models and data)',
    '',
    '| Model | Classification F1 | Reasoning accuracy | Triage F1 |',
    '|---|---|---|---|',
    '| base | 0.63 | 7% | — |',
    '| SFT | 0.98 | 28% | — |',
    '| DPO | 0.95 | 36% | up with DPO |',
    '',
    `Training budget: \`${JSON.stringify(facts.budget)}\``,
    '',
  ].join('\n');
}
