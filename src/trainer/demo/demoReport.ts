// The demo's results.md: the measured table, the issue's two checks computed from it, and the published
// numbers beside it for shape only (they are never mixed into the measured table).
import { compareRows, studyMarkdown, type StudyTable } from '../../core/compare/studyTable';
import { POLICY_COLUMNS, STUDY_COLUMNS, type TaskId } from '../../core/compare/taskScoring';

export const MODEL_ROWS = ['base', 'SFT', 'DPO'] as const;
/** The local-policy table's rows: every preference method next to base and SFT. */
export const POLICY_ROWS = ['base', 'SFT', 'DPO', 'KTO', 'ORPO', 'SimPO'] as const;
export type ModelRow = (typeof POLICY_ROWS)[number];

/** Collects per-seed values as runs finish. */
export class ResultGrid {
  private readonly values = new Map<string, number[]>();

  constructor(
    private readonly rows: readonly ModelRow[] = MODEL_ROWS,
    private readonly columns: { task: TaskId; metric: string; label: string }[] = STUDY_COLUMNS,
  ) {}

  add(row: ModelRow, metric: string, value: number): void {
    if (Number.isNaN(value)) return;
    const key = `${row}/${metric}`;
    this.values.set(key, [...(this.values.get(key) ?? []), value]);
  }

  table(): StudyTable {
    return {
      columns: this.columns,
      rows: this.rows.map((model) => ({ model, cells: this.columns.map((c) => this.values.get(`${model}/${c.metric}`) ?? []) })),
    };
  }
}

export function policyGrid(): ResultGrid {
  return new ResultGrid(POLICY_ROWS, POLICY_COLUMNS);
}

/** Each preference method against SFT on the local-policy table: which beats the seed-to-seed spread where. */
export function policyChecksMarkdown(table: StudyTable): string[] {
  const lines: string[] = [];
  for (const method of POLICY_ROWS.slice(2)) {
    for (let i = 0; i < table.columns.length; i++) {
      const c = compareRows(table, method, 'SFT', i);
      if (!c) continue;
      lines.push(`- ${method} vs SFT, ${c.column.label}: ${sign(c.difference)}, spread ${c.spread.toFixed(3)} — ${c.clear ? '**beats SFT beyond the spread**' : -c.difference > c.spread ? '**worse than SFT beyond the spread**' : 'within the spread'}`);
    }
  }
  return lines;
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

export function resultsMarkdown(table: StudyTable, facts: DemoFacts, policy?: { table: StudyTable; seeds: number[] }): string {
  const policyPart = policy
    ? [
        '## Local policy (Riverbend Health, datasets-sample/policy): preferences carry what the SFT data lacks',
        '',
        `SFT on the generic triage split; each preference method trained on Riverbend's pairs (DPO, KTO and SimPO from that SFT adapter, ORPO in one stage from the base model); seeds ${policy.seeds.join(', ')}.`,
        'Local policy adherence: refill and lab-result messages answered as Riverbend routes them (both lines right); unchanged messages: the controls the policy leaves alone.',
        '',
        studyMarkdown(policy.table),
        '',
        ...policyChecksMarkdown(policy.table),
        '',
      ]
    : [];
  return [
    `# Clinical FT demo: base vs SFT vs DPO${policy ? ' (and KTO, ORPO, SimPO on a local policy)' : ''}`,
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
    ...policyPart,
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
