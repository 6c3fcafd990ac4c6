// How the demo scores each task of the study from the generated text, per example and overall:
// UTI yes/no macro-F1, triage urgency (and responder) macro-F1, multiple-choice letter accuracy,
// summarization ROUGE-L F. Pure, so the Compare panel and the demo score identically.
import { classificationReport, extractLabel, rougeL } from '../evalMetrics';

/** `policy`: triage messages scored for a health system's local routing policy (datasets-sample/policy). */
export type TaskId = 'uti' | 'triage' | 'reasoning' | 'summarization' | 'policy';

export interface ScoredExample {
  predicted: string | null;
  /** 1/0 for correct/wrong, or ROUGE-L F for free text. */
  score: number;
}

export interface TaskMetric {
  metric: string;
  label: string;
  value: number;
}

const URGENCY = ['emergency', 'urgent', 'routine'];
const RESPONDER = ['physician', 'nurse', 'pharmacist', 'front desk'];

function field(text: string, name: string): string {
  const m = new RegExp(`${name}\\s*:\\s*([^\\n]*)`, 'i').exec(text);
  return m ? m[1] : '';
}

/** The option letter an answer starts with ("B. Pulmonary embolism", "(B)", "B"). */
export function answerLetter(text: string): string | null {
  const m = /^\s*\(?([A-D])(?:[).:,\s]|$)/.exec(text);
  return m ? m[1] : null;
}

/** The label of a gold answer, in the same terms as `predicted`. */
export function goldLabel(task: TaskId, gold: string): string | null {
  switch (task) {
    case 'uti':
      return extractLabel(gold, ['yes', 'no']);
    case 'triage':
      return extractLabel(field(gold, 'urgency'), URGENCY);
    case 'reasoning':
      return answerLetter(gold);
    case 'summarization':
      return null;
    case 'policy':
      return extractLabel(field(gold, 'responder'), RESPONDER);
  }
}

export function scoreExample(task: TaskId, gold: string, output: string): ScoredExample {
  if (task === 'summarization') return { predicted: null, score: rougeL(gold, output).fmeasure };
  const predicted =
    task === 'uti' ? extractLabel(output, ['yes', 'no'])
    : task === 'triage' ? extractLabel(field(output, 'urgency') || output.split('\n')[0], URGENCY)
    : task === 'policy' ? extractLabel(field(output, 'responder'), RESPONDER)
    : answerLetter(output);
  return { predicted, score: predicted !== null && predicted === goldLabel(task, gold) ? 1 : 0 };
}

/** The study's metric(s) for a task over all examples. */
export function taskMetrics(task: TaskId, examples: { gold: string; output: string; key?: string }[]): TaskMetric[] {
  if (examples.length === 0) return [];
  if (task === 'policy') return policyMetrics(examples);
  if (task === 'summarization') {
    const mean = examples.reduce((a, e) => a + rougeL(e.gold, e.output).fmeasure, 0) / examples.length;
    return [{ metric: 'rougeL', label: 'Summarization ROUGE-L', value: mean }];
  }
  if (task === 'reasoning') {
    const correct = examples.filter((e) => scoreExample(task, e.gold, e.output).score === 1).length;
    return [{ metric: 'accuracy', label: 'Reasoning accuracy', value: correct / examples.length }];
  }
  if (task === 'uti') {
    const r = classificationReport(examples.map((e) => goldLabel(task, e.gold) ?? '?'), examples.map((e) => scoreExample(task, e.gold, e.output).predicted));
    return [{ metric: 'macroF1', label: 'UTI classification F1', value: r.macroF1 }];
  }
  const urgency = classificationReport(examples.map((e) => goldLabel(task, e.gold) ?? '?'), examples.map((e) => scoreExample(task, e.gold, e.output).predicted));
  const responder = classificationReport(
    examples.map((e) => extractLabel(field(e.gold, 'responder'), RESPONDER) ?? '?'),
    examples.map((e) => extractLabel(field(e.output, 'responder'), RESPONDER)),
  );
  return [
    { metric: 'urgencyMacroF1', label: 'Triage F1 (urgency)', value: urgency.macroF1 },
    { metric: 'responderMacroF1', label: 'Triage F1 (responder)', value: responder.macroF1 },
  ];
}

/** Columns of the study table, in the order the paper reports them. */
export const STUDY_COLUMNS: { task: TaskId; metric: string; label: string }[] = [
  { task: 'uti', metric: 'macroF1', label: 'UTI classification F1' },
  { task: 'triage', metric: 'urgencyMacroF1', label: 'Triage F1 (urgency)' },
  { task: 'triage', metric: 'responderMacroF1', label: 'Triage F1 (responder)' },
  { task: 'reasoning', metric: 'accuracy', label: 'Reasoning accuracy' },
  { task: 'summarization', metric: 'rougeL', label: 'Summarization ROUGE-L' },
];

/** Which rule of the local policy an eval example tests, from its id (riverbend-eval-refill-001, …-control-…). */
export function policyKind(key: string | undefined): 'policy' | 'control' | undefined {
  if (!key) return undefined;
  if (/-control-/.test(key)) return 'control';
  return /-(refill|lab)-/.test(key) ? 'policy' : undefined;
}

/**
 * Local-policy adherence: on the messages the policy re-routes, the share answered with the policy's responder
 * (and urgency); on the controls it leaves alone, the share with both lines right.
 */
function policyMetrics(examples: { gold: string; output: string; key?: string }[]): TaskMetric[] {
  const both = (e: { gold: string; output: string }) =>
    extractLabel(field(e.output, 'responder'), RESPONDER) === extractLabel(field(e.gold, 'responder'), RESPONDER) &&
    extractLabel(field(e.output, 'urgency'), URGENCY) === extractLabel(field(e.gold, 'urgency'), URGENCY);
  const share = (xs: typeof examples) => (xs.length ? xs.filter(both).length / xs.length : NaN);
  return [
    { metric: 'policyAdherence', label: 'Local policy adherence', value: share(examples.filter((e) => policyKind(e.key) === 'policy')) },
    { metric: 'policyControls', label: 'Unchanged messages right', value: share(examples.filter((e) => policyKind(e.key) === 'control')) },
  ];
}

/** Columns of the local-policy table (npm run demo). */
export const POLICY_COLUMNS: { task: TaskId; metric: string; label: string }[] = [
  { task: 'policy', metric: 'policyAdherence', label: 'Local policy adherence' },
  { task: 'policy', metric: 'policyControls', label: 'Unchanged messages right' },
];
