import { z } from 'zod';
import { messageText, Turns } from '../datasets/records';

/**
 * A preference record is a DPO-shaped JSONL line (so `clinical-ft validate --format dpo` accepts it):
 * candidate A is stored in `chosen`, candidate B in `rejected`, and until `meta.label` says otherwise
 * neither is preferred. The label is always in terms of these stored candidates, never the screen side:
 * "A" keeps chosen/rejected as they are, "B" swaps them on export.
 */

export const LABELS = ['A', 'B', 'tie', 'both_bad'] as const;
export const Label = z.enum(LABELS);
export type Label = z.infer<typeof Label>;

/** Prompts and responses are plain strings or chat message lists (DESIGN.md datasets). */
export { ChatMessage, Turns } from '../datasets/records';

/** meta written by the labeler (DESIGN.md); other meta keys are kept as they are. */
export const LabelMeta = z.object({
  annotator: z.string(),
  label: Label,
  rationale: z.string(),
  time: z.string(),
});
export type LabelMeta = z.infer<typeof LabelMeta>;

export interface PairLine {
  kind: 'pair';
  line: number;
  id?: string;
  prompt?: Turns;
  a: Turns;
  b: Turns;
  label?: Label;
  annotator?: string;
  rationale?: string;
  time?: string;
}
export interface MalformedLine {
  kind: 'malformed';
  line: number;
  error: string;
}
export interface BlankLine {
  kind: 'blank';
  line: number;
}
/** Valid JSON without candidates (e.g. an SFT record): not a pair, shown as such. */
export interface OtherLine {
  kind: 'other';
  line: number;
}
export type PrefsLine = PairLine | MalformedLine | BlankLine | OtherLine;

/** Classifies one line (0-based `line`) without throwing; malformed lines carry a readable reason. */
export function parsePrefsLine(text: string, line: number): PrefsLine {
  if (text.trim() === '') return { kind: 'blank', line };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'malformed', line, error: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', line, error: 'a record must be a JSON object' };
  }
  const rec = value as Record<string, unknown>;
  if (!('chosen' in rec) && !('rejected' in rec)) return { kind: 'other', line };
  for (const field of ['chosen', 'rejected'] as const) {
    if (!Turns.safeParse(rec[field]).success) {
      return { kind: 'malformed', line, error: `field "${field}" must be a string or a list of {role, content} messages` };
    }
  }
  if ('prompt' in rec && !Turns.safeParse(rec.prompt).success) {
    return { kind: 'malformed', line, error: 'field "prompt" must be a string or a list of {role, content} messages' };
  }
  const out: PairLine = { kind: 'pair', line, a: rec.chosen as Turns, b: rec.rejected as Turns };
  if (typeof rec.id === 'string' || typeof rec.id === 'number') out.id = String(rec.id);
  if ('prompt' in rec) out.prompt = rec.prompt as Turns;
  const meta = rec.meta;
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) {
    return { kind: 'malformed', line, error: 'field "meta" must be an object' };
  }
  if (meta) {
    const m = meta as Record<string, unknown>;
    if (m.label !== undefined) {
      const l = Label.safeParse(m.label);
      if (!l.success) return { kind: 'malformed', line, error: `field "meta.label" must be one of ${LABELS.join(', ')}` };
      out.label = l.data;
    }
    if (typeof m.annotator === 'string') out.annotator = m.annotator;
    if (typeof m.rationale === 'string') out.rationale = m.rationale;
    if (typeof m.time === 'string') out.time = m.time;
  }
  return out;
}

/** Splits text into lines the way VS Code counts them (\n or \r\n); a trailing newline adds no record. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function parsePrefsText(text: string): PrefsLine[] {
  return splitLines(text).map((l, i) => parsePrefsLine(l, i));
}

/** Plain-text rendering of turns, for diffs and for a generator prompt. */
export function turnsText(t: Turns): string {
  return typeof t === 'string' ? t : t.map((m) => `${m.role}: ${messageText(m)}`).join('\n\n');
}
