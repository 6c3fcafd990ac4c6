// What `clinical-ft export --json` prints, one JSON object per stdout line, and what the host reads back:
// progress per tensor, warnings (e.g. a chat template Ollama's TEMPLATE cannot express), then done or failed.
import { z } from 'zod';

export const ExportEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), done: z.number().int().nonnegative(), total: z.number().int().nonnegative(), message: z.string() }),
  z.object({ type: z.literal('warning'), message: z.string() }),
  z.object({ type: z.literal('done'), out: z.string(), files: z.array(z.string()), mergedTensors: z.number().int().nonnegative() }),
  z.object({ type: z.literal('failed'), message: z.string(), cancelled: z.boolean() }),
]);
export type ExportEvent = z.infer<typeof ExportEvent>;

/** One stdout line; undefined for anything that is not an export event (the child's output is untrusted). */
export function parseExportEvent(line: string): ExportEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = ExportEvent.safeParse(json);
  return r.success ? r.data : undefined;
}
