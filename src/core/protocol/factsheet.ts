// host ↔ fact sheet webview. The webview says `ready`; the host answers with a full snapshot (the document the
// exports render, and the form's saved answers) and sends a new one after every save (latest wins).
import { z } from 'zod';
import { Answers } from '../factsheet/answers';
import { FactSheetDoc } from '../factsheet/document';
import { EXPORT_FORMATS } from '../factsheet/exports';

export const FactSheetStatus = z.strictObject({
  phase: z.enum(['loading', 'ready', 'failed']),
  message: z.string(),
});
export type FactSheetStatus = z.infer<typeof FactSheetStatus>;

export const FactSheetHostMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('snapshot'), status: FactSheetStatus, doc: FactSheetDoc.nullable(), answers: Answers }),
  z.strictObject({ type: z.literal('saved'), file: z.string() }),
  z.strictObject({ type: z.literal('exported'), files: z.array(z.string()) }),
  z.strictObject({ type: z.literal('error'), message: z.string() }),
]);
export type FactSheetHostMessage = z.infer<typeof FactSheetHostMessage>;

export const FactSheetWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('save'), answers: Answers }),
  z.strictObject({ type: z.literal('export'), formats: z.array(z.enum(EXPORT_FORMATS)).min(1) }),
]);
export type FactSheetWebviewMessage = z.infer<typeof FactSheetWebviewMessage>;
