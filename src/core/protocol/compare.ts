// host ↔ Compare webview messages. The webview says `ready`; the host answers with a full snapshot and
// sends a new snapshot whenever an evaluation finishes (latest wins), plus progress lines in between.
import { z } from 'zod';
import { Comparison } from '../compare/comparison';

export const CompareStatus = z.strictObject({
  phase: z.enum(['evaluating', 'done', 'failed']),
  message: z.string(),
  /** Evaluations finished and planned (one per model). */
  done: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type CompareStatus = z.infer<typeof CompareStatus>;

export const CompareHostMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('snapshot'), comparison: Comparison, status: CompareStatus }),
  z.strictObject({ type: z.literal('progress'), status: CompareStatus }),
  z.strictObject({ type: z.literal('exported'), file: z.string() }),
]);
export type CompareHostMessage = z.infer<typeof CompareHostMessage>;

export const CompareWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('export'), format: z.enum(['markdown', 'csv']), onlyDisagreements: z.boolean() }),
]);
export type CompareWebviewMessage = z.infer<typeof CompareWebviewMessage>;
