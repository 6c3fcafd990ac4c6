// "Improve with preferences": where the flow of one SFT run stands. The state file holds only pointers
// (which pairs file, which export, which run); everything countable (labels, whether the export matches the
// labels, whether the run finished) is read from those files each time, so the file never goes stale.
import { z } from 'zod';
import { PREFERENCE_METHODS } from '../preferences/startHints';
import type { RunStatus } from '../runFolder';

/** The state file, in the SFT run's folder: the run owns its improvements, and deleting the run drops them. */
export const IMPROVE_STATE_FILE = 'improve.json';

export const IMPROVE_STEPS = ['generate', 'label', 'export', 'train', 'compare'] as const;
export type ImproveStep = (typeof IMPROVE_STEPS)[number];

export const IMPROVE_STEP_LABELS: Record<ImproveStep, string> = {
  generate: 'Generate two candidates per prompt from the SFT adapter',
  label: 'Label the pairs in the Preference Labeler',
  export: 'Export the labeled pairs',
  train: 'Train DPO, KTO, ORPO or SimPO from the SFT adapter',
  compare: 'Compare SFT with the new run on the held-out split',
};

export const ImproveState = z
  .object({
    version: z.literal(1),
    sftRun: z.string().min(1),
    prompts: z.string().min(1).optional(),
    /** The generated *.prefs.jsonl: the labels live there, never here. */
    pairs: z.string().min(1).optional(),
    exported: z.string().min(1).optional(),
    method: z.enum(PREFERENCE_METHODS).optional(),
    /** The preference run's id (a folder beside the SFT run). */
    preferenceRun: z.string().min(1).optional(),
    /** The held-out file the last comparison evaluated on, and when. */
    compared: z.object({ dataset: z.string(), at: z.string() }).strict().optional(),
    updatedAt: z.string(),
  })
  .strict();
export type ImproveState = z.infer<typeof ImproveState>;

export function newImproveState(sftRun: string, now = new Date()): ImproveState {
  return { version: 1, sftRun, updatedAt: now.toISOString() };
}

export type ImproveStateRead = { ok: true; state: ImproveState; fresh: boolean } | { ok: false; state: ImproveState; message: string };

/**
 * The state as read from `text` (undefined = no file yet). A file that is not JSON or not this shape is
 * reported and replaced by a fresh state: the labels themselves are in the pairs file, which stays untouched.
 */
export function parseImproveState(text: string | undefined, sftRun: string, file = IMPROVE_STATE_FILE): ImproveStateRead {
  if (text === undefined) return { ok: true, state: newImproveState(sftRun), fresh: true };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, state: newImproveState(sftRun), message: `${file} is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const parsed = ImproveState.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, state: newImproveState(sftRun), message: `${file}: field "${issue?.path.join('.') || '(root)'}" — ${issue?.message ?? 'invalid'}` };
  }
  if (parsed.data.sftRun !== sftRun) return { ok: false, state: newImproveState(sftRun), message: `${file} belongs to run ${parsed.data.sftRun}, not ${sftRun}` };
  return { ok: true, state: parsed.data, fresh: false };
}

export function serializeImproveState(state: ImproveState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** What a finished step produced. Redoing a step invalidates what later steps made from its old output. */
export type StepOutput =
  | { step: 'generate'; prompts: string; pairs: string }
  | { step: 'export'; exported: string }
  | { step: 'train'; method: ImproveState['method'] & string; preferenceRun: string }
  | { step: 'compare'; dataset: string };

export function recordStep(state: ImproveState, out: StepOutput, now = new Date()): ImproveState {
  const base = { version: 1 as const, sftRun: state.sftRun, updatedAt: now.toISOString() };
  switch (out.step) {
    case 'generate':
      return { ...base, prompts: out.prompts, pairs: out.pairs };
    case 'export':
      return { ...base, ...pick(state, 'prompts', 'pairs'), exported: out.exported };
    case 'train':
      return { ...base, ...pick(state, 'prompts', 'pairs', 'exported'), method: out.method, preferenceRun: out.preferenceRun };
    case 'compare':
      return { ...base, ...pick(state, 'prompts', 'pairs', 'exported', 'method', 'preferenceRun'), compared: { dataset: out.dataset, at: now.toISOString() } };
  }
}

function pick<K extends keyof ImproveState>(s: ImproveState, ...keys: K[]): Pick<ImproveState, K> {
  const out: Partial<ImproveState> = {};
  for (const k of keys) if (s[k] !== undefined) (out as Record<string, unknown>)[k] = s[k];
  return out as Pick<ImproveState, K>;
}

/** What is on disk now, read fresh each time (see improveFiles.ts). */
export interface ImproveFacts {
  /** undefined: no pairs file recorded, or it is gone. */
  labels?: { labeled: number; total: number };
  /** The export file exists and holds exactly what exporting the labels now would write. */
  exportCurrent: boolean;
  exportExists: boolean;
  /** The preference run's status; undefined when none is recorded or its folder is gone. */
  runStatus?: RunStatus;
}

export interface StepView {
  step: ImproveStep;
  done: boolean;
  /** Can be started now (its input exists). */
  ready: boolean;
  detail: string;
}

/** Each step's status, from the state's pointers and the facts on disk. */
export function stepViews(state: ImproveState, f: ImproveFacts): StepView[] {
  const generated = state.pairs !== undefined && f.labels !== undefined;
  const labels = f.labels;
  const allLabeled = labels !== undefined && labels.total > 0 && labels.labeled === labels.total;
  const exported = state.exported !== undefined && f.exportCurrent;
  const trained = state.preferenceRun !== undefined && f.runStatus === 'completed';
  const method = state.method?.toUpperCase() ?? 'preference';
  return [
    {
      step: 'generate',
      done: generated,
      ready: true,
      detail: generated ? `${labels!.total} pairs in ${baseName(state.pairs!)}` : state.pairs ? `${baseName(state.pairs)} is gone — generate again` : 'pick a prompts file',
    },
    { step: 'label', done: allLabeled, ready: generated, detail: labels ? labelCount(labels) : 'after generating' },
    {
      step: 'export',
      done: exported,
      ready: generated && labels!.labeled > 0,
      detail: exported ? baseName(state.exported!) : f.exportExists && state.exported ? 'labels changed since the export — export again' : 'after labeling',
    },
    {
      step: 'train',
      done: trained,
      ready: exported,
      detail: state.preferenceRun ? `${method} run ${state.preferenceRun}: ${f.runStatus ?? 'folder gone'}` : 'after exporting',
    },
    { step: 'compare', done: trained && state.compared !== undefined, ready: trained, detail: state.compared ? `compared on ${baseName(state.compared.dataset)}` : trained ? 'ready' : 'after training' },
  ];
}

/** The first step not done, or compare once everything is (comparing again is always possible). */
export function nextStep(views: StepView[]): ImproveStep {
  return views.find((v) => !v.done)?.step ?? 'compare';
}

/** "37 of 120 pairs labeled", the headline of a flow in progress. */
export function labelCount(l: { labeled: number; total: number }): string {
  return `${l.labeled} of ${l.total} pair${l.total === 1 ? '' : 's'} labeled`;
}

/** One line for a run picker and a title: the next step and how far labeling got. */
export function progressSummary(state: ImproveState, f: ImproveFacts): string {
  const views = stepViews(state, f);
  const next = nextStep(views);
  if (views.every((v) => v.done)) return `done — ${views[4].detail}`;
  if (next === 'generate') return views[0].detail === 'pick a prompts file' ? 'not started' : views[0].detail;
  if (next === 'label') return f.labels ? labelCount(f.labels) : 'label the pairs';
  return `${f.labels ? `${labelCount(f.labels)} · ` : ''}next: ${next}`;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
