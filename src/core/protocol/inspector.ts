// host ↔ "Show training tokens" webview. The webview says `ready`; the host answers with a full snapshot (latest
// wins) whenever the record, model or max length changes.
import { z } from 'zod';
import { InspectRecord } from './cliOutputs';

export const InspectorTarget = z.strictObject({
  file: z.string(),
  line: z.number().int().min(1),
  model: z.string(),
  maxLength: z.number().int().min(8),
});
export type InspectorTarget = z.infer<typeof InspectorTarget>;

export const InspectorHostMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('snapshot'),
    target: InspectorTarget,
    /** The record as training feeds it, or null while it is computed or when it could not be. */
    record: InspectRecord.nullable(),
    /** Why a record trains nothing or less than its answer (src/trainer/prompt/inspectRecords.ts answerWarning). */
    warning: z.string().nullable(),
    error: z.string().nullable(),
  }),
]);
export type InspectorHostMessage = z.infer<typeof InspectorHostMessage>;

export const InspectorWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  /** Show the record on another line of the same file (previous / next). */
  z.strictObject({ type: z.literal('line'), line: z.number().int().min(1) }),
  z.strictObject({ type: z.literal('revealRecord') }),
]);
export type InspectorWebviewMessage = z.infer<typeof InspectorWebviewMessage>;
