// host ↔ dataset preview webview messages (zod unions; inbound messages are safeParse'd on both sides).
import { z } from 'zod';

export const PreviewRow = z.strictObject({
  index: z.number().int(),
  line: z.number().int(),
  /** First text the model reads (prompt, instruction, first user turn, text). */
  preview: z.string(),
  /** What it learns to answer (completion, output, last assistant turn, chosen). */
  answer: z.string(),
  label: z.string().nullable(),
  length: z.number(),
  phi: z.number().int(),
  duplicate: z.boolean(),
  error: z.string().nullable(),
});
export type PreviewRow = z.infer<typeof PreviewRow>;

export const PreviewStats = z.strictObject({
  records: z.number().int(),
  invalid: z.number().int(),
  format: z.string().nullable(),
  formatLabel: z.string(),
  errors: z.number().int(),
  warnings: z.number().int(),
  lengthUnit: z.enum(['tokens', 'characters']),
  tokenizer: z.string().nullable(),
  /** How the lengths were measured when it is not plain: counting in progress, capped records, a tokenizer that timed out. */
  lengthNote: z.string().nullable().optional(),
  histogram: z.strictObject({ edges: z.array(z.number()), counts: z.array(z.number().int()) }),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  p95: z.number(),
  labels: z.array(z.strictObject({ label: z.string(), count: z.number().int() })).nullable(),
  duplicates: z.number().int(),
  duplicateLines: z.array(z.number().int()),
  phi: z.number().int(),
  phiFindings: z.array(z.strictObject({ line: z.number().int(), column: z.number().int(), code: z.string(), message: z.string() })),
});
export type PreviewStats = z.infer<typeof PreviewStats>;

export const FilterMode = z.enum(['all', 'phi', 'duplicates', 'errors']);
export type FilterMode = z.infer<typeof FilterMode>;

export const DatasetPreviewHostMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('snapshot'),
    fileName: z.string(),
    total: z.number().int(),
    indexing: z.boolean(),
    stats: PreviewStats.nullable(),
    query: z.string(),
    mode: FilterMode,
    indices: z.array(z.number().int()).nullable(),
  }),
  z.strictObject({ type: z.literal('progress'), total: z.number().int(), indexing: z.boolean() }),
  z.strictObject({ type: z.literal('stats'), stats: PreviewStats }),
  z.strictObject({ type: z.literal('rows'), rows: z.array(PreviewRow) }),
  z.strictObject({ type: z.literal('filtered'), query: z.string(), mode: FilterMode, indices: z.array(z.number().int()).nullable() }),
  z.strictObject({
    type: z.literal('record'),
    index: z.number().int(),
    line: z.number().int(),
    record: z.unknown(),
    raw: z.string(),
    issues: z.array(z.strictObject({ severity: z.enum(['error', 'warning']), line: z.number().int(), column: z.number().int(), field: z.string().nullable(), code: z.string(), message: z.string() })),
  }),
  z.strictObject({ type: z.literal('error'), message: z.string() }),
]);
export type DatasetPreviewHostMessage = z.infer<typeof DatasetPreviewHostMessage>;

export const DatasetPreviewWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('rows'), start: z.number().int().min(0), end: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('filter'), query: z.string().max(500), mode: FilterMode }),
  z.strictObject({ type: z.literal('record'), index: z.number().int().min(0) }),
  z.strictObject({ type: z.literal('reveal'), line: z.number().int().min(1), column: z.number().int().min(1).optional() }),
  /** "Show training tokens" for the record on this line. */
  z.strictObject({ type: z.literal('showTokens'), line: z.number().int().min(1) }),
]);
export type DatasetPreviewWebviewMessage = z.infer<typeof DatasetPreviewWebviewMessage>;
