import type { Label } from './prefsRecord';

/**
 * Text-level edits of one JSONL record, so a label touches only the bytes of `meta` and the rest of the
 * line (key order, spacing, escapes) stays exactly as the user or git saw it.
 */

export interface TextReplacement {
  /** Offsets into the old line; replace [start, end) with `text`. */
  start: number;
  end: number;
  text: string;
}

/** The smallest single replacement turning `before` into `after` (common prefix and suffix kept). */
export function minimalReplacement(before: string, after: string): TextReplacement | undefined {
  if (before === after) return undefined;
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { start: p, end: before.length - s, text: after.slice(p, after.length - s) };
}

interface KeySpan {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

/** Spans of the top-level members of a JSON object text that JSON.parse already accepted. */
export function topLevelMembers(text: string): { open: number; close: number; members: KeySpan[] } {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const skipString = () => {
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const skipValue = () => {
    let depth = 0;
    for (;;) {
      const c = text[i];
      if (c === '"') skipString();
      else if (c === '{' || c === '[') {
        depth++;
        i++;
      } else if (c === '}' || c === ']') {
        if (depth === 0) return;
        depth--;
        i++;
        if (depth === 0) return;
      } else if (c === ',' && depth === 0) return;
      else if (i >= text.length) return;
      else i++;
    }
  };
  ws();
  const open = i;
  i++;
  const members: KeySpan[] = [];
  for (;;) {
    ws();
    if (text[i] === '}') break;
    if (text[i] === ',') {
      i++;
      continue;
    }
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    ws();
    i++; // ':'
    ws();
    const valueStart = i;
    skipValue();
    let valueEnd = i;
    while (valueEnd > valueStart && /\s/.test(text[valueEnd - 1])) valueEnd--;
    members.push({ key, keyStart, valueStart, valueEnd });
  }
  return { open, close: i, members };
}

export interface LabelUpdate {
  annotator: string;
  /** undefined clears the label (rationale-only or un-label). */
  label?: Label;
  rationale?: string;
  time: string;
}

/**
 * The record line with `meta` updated: other meta keys are kept, the labeler's keys are (re)written.
 * Only the meta value changes (or a `,"meta":{…}` member is appended), so the edit stays minimal.
 */
export function applyLabelToLine(line: string, update: LabelUpdate): string {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  const { close, members } = topLevelMembers(line);
  // JSON allows duplicate keys; JSON.parse keeps the last, so that is the one to edit.
  const metaSpan = [...members].reverse().find((m) => m.key === 'meta');
  const old = (metaSpan ? parsed.meta : undefined) as Record<string, unknown> | undefined;
  const meta: Record<string, unknown> = { ...(old ?? {}) };
  meta.annotator = update.annotator;
  if (update.label === undefined) delete meta.label;
  else meta.label = update.label;
  meta.rationale = update.rationale ?? (typeof old?.rationale === 'string' ? old.rationale : '');
  meta.time = update.time;
  const metaText = JSON.stringify(meta);
  if (metaSpan) return line.slice(0, metaSpan.valueStart) + metaText + line.slice(metaSpan.valueEnd);
  const empty = members.length === 0;
  const before = line.slice(0, close).replace(/\s+$/, '');
  const trailing = line.slice(before.length, close);
  return `${before}${empty ? '' : ','}"meta":${metaText}${trailing}${line.slice(close)}`;
}
