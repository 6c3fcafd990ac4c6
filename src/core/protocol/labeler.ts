import { z } from 'zod';
import { Label, Turns } from '../labels/prefsRecord';

/** host ↔ labeler webview. The document is the model: the webview renders snapshots and asks for edits. */

const line = z.number().int().min(0);
/** FNV-1a of the line text the webview saw, so an edit never lands on a line that changed meanwhile. */
const expect = z.number().int().min(0);

export const RecordView = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('pair'),
    line,
    hash: expect,
    id: z.string().optional(),
    prompt: Turns.optional(),
    a: Turns,
    b: Turns,
    order: z.enum(['AB', 'BA']),
    label: Label.optional(),
    annotator: z.string().optional(),
    rationale: z.string().optional(),
    time: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('malformed'), line, hash: expect, error: z.string(), text: z.string() }),
]);
export type RecordView = z.infer<typeof RecordView>;

export const LabelerHostMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('snapshot'),
    fileName: z.string(),
    annotator: z.string(),
    lineCount: z.number().int().min(0),
    records: z.array(RecordView),
    reveal: line.optional(),
  }),
  /** Records whose lines changed while the line count stayed the same. */
  z.strictObject({ type: z.literal('update'), records: z.array(RecordView) }),
  z.strictObject({ type: z.literal('reveal'), line }),
  z.strictObject({ type: z.literal('notice'), message: z.string() }),
]);
export type LabelerHostMessage = z.infer<typeof LabelerHostMessage>;

export const LabelerWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('label'), line, expect, label: Label.nullable() }),
  z.strictObject({ type: z.literal('rationale'), line, expect, text: z.string().max(20_000) }),
  z.strictObject({ type: z.literal('undo') }),
  z.strictObject({ type: z.literal('redo') }),
  z.strictObject({ type: z.literal('showText'), line }),
]);
export type LabelerWebviewMessage = z.infer<typeof LabelerWebviewMessage>;
