// The fields of a fact sheet only a person can write (intended use, users, population, …): a form in the
// fact sheet panel, saved beside the run as factsheet.answers.json. Nothing here is ever filled in by the tool.
import { z } from 'zod';

export const ANSWERS_FILE = 'factsheet.answers.json';

export const ANSWER_FIELDS = [
  { key: 'intendedUse', label: 'Intended use', hint: 'The task and clinical workflow the model is for.' },
  { key: 'intendedUsers', label: 'Intended users', hint: 'Who uses the output (e.g. triage nurses), and in what setting.' },
  { key: 'population', label: 'Patient population', hint: 'The patients the model is intended for.' },
  { key: 'outOfScope', label: 'Out-of-scope uses', hint: 'Tasks, settings or populations where it must not be used.' },
  { key: 'knownRisks', label: 'Known risks and limitations', hint: 'Known failure modes, inappropriate settings, limitations.' },
  { key: 'clinicalRiskLevel', label: 'Clinical risk level', hint: 'The risk level your governance committee assigned, and by which scheme.' },
  { key: 'maintenancePlan', label: 'Maintenance plan', hint: 'How and how often validity and fairness are monitored and the model is updated.' },
] as const;

export type AnswerKey = (typeof ANSWER_FIELDS)[number]['key'];
export const ANSWER_KEYS = ANSWER_FIELDS.map((f) => f.key) as [AnswerKey, ...AnswerKey[]];

/** Marks a field nobody has written yet, in every export. */
export const NOT_ANSWERED = 'Not answered — to be written by a person.';

const answerText = z.string().max(20_000);
export const Answers = z.strictObject(Object.fromEntries(ANSWER_KEYS.map((k) => [k, answerText.optional()])) as Record<AnswerKey, z.ZodOptional<typeof answerText>>);
export type Answers = Partial<Record<AnswerKey, string>>;

export const AnswersFile = z.strictObject({
  version: z.literal(1),
  updatedAt: z.string(),
  answers: Answers,
});
export type AnswersFile = z.infer<typeof AnswersFile>;

/** A field's text, or undefined when blank (whitespace only counts as blank). */
export function answerOf(answers: Answers, key: AnswerKey): string | undefined {
  const v = answers[key]?.trim();
  return v ? v : undefined;
}

/** Parses factsheet.answers.json; a message naming the file and field when it is not one. */
export function parseAnswersFile(text: string, file: string): { ok: true; answers: Answers } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${file}: not JSON (${(e as Error).message})` };
  }
  const r = AnswersFile.safeParse(raw);
  if (!r.success) return { ok: false, error: `${file}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  return { ok: true, answers: r.data.answers };
}

export function answersFileText(answers: Answers, now = new Date()): string {
  const kept = Object.fromEntries(ANSWER_KEYS.flatMap((k) => (answers[k] !== undefined ? [[k, answers[k]]] : [])));
  return `${JSON.stringify({ version: 1, updatedAt: now.toISOString(), answers: kept } satisfies AnswersFile, null, 2)}\n`;
}
