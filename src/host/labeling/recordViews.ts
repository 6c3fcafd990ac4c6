import { displayOrder, fnv1a } from '../../core/labels/displayOrder';
import type { RecordView } from '../../core/protocol/labeler';
import { parsePrefsLine } from '../../core/labels/prefsRecord';

/** Long malformed lines are shown truncated: enough to recognise them, never megabytes into the webview. */
const MAX_MALFORMED_CHARS = 2000;

/** What the labeler shows for one document line; blank lines show nothing. */
export function recordView(text: string, line: number): RecordView | undefined {
  const rec = parsePrefsLine(text, line);
  const hash = fnv1a(text);
  switch (rec.kind) {
    case 'blank':
      return undefined;
    case 'malformed':
    case 'other':
      return {
        kind: 'malformed',
        line,
        hash,
        error: rec.kind === 'other' ? 'valid JSON but no "chosen"/"rejected" candidates' : rec.error,
        text: text.length > MAX_MALFORMED_CHARS ? `${text.slice(0, MAX_MALFORMED_CHARS)}…` : text,
      };
    case 'pair':
      return {
        kind: 'pair',
        line,
        hash,
        ...(rec.id !== undefined ? { id: rec.id } : {}),
        ...(rec.prompt !== undefined ? { prompt: rec.prompt } : {}),
        a: rec.a,
        b: rec.b,
        // Keyed by id so reordering the file does not flip what a clinician saw; by content when there is none.
        order: displayOrder(rec.id ?? text),
        ...(rec.label ? { label: rec.label } : {}),
        ...(rec.annotator !== undefined ? { annotator: rec.annotator } : {}),
        ...(rec.rationale !== undefined ? { rationale: rec.rationale } : {}),
        ...(rec.time !== undefined ? { time: rec.time } : {}),
      };
  }
}
