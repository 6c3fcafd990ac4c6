// What the CLI prints with --json (DESIGN.md contract), written by src/trainer/cli and parsed by the host with
// these same schemas: `validate --json`, `eval --json` (+ its outputs.jsonl lines) and `inspect --json`.
import { z } from 'zod';

// ---- clinical-ft validate --json ----
const Issue = z.strictObject({
  line: z.number().int(),
  column: z.number().int(),
  endColumn: z.number().int().optional(),
  field: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  fix: z.strictObject({ title: z.string(), column: z.number().int(), endColumn: z.number().int(), text: z.string() }).optional(),
});
export const ValidateOutput = z.strictObject({
  format: z.string().nullable(),
  records: z.number().int(),
  errors: z.array(Issue),
  warnings: z.array(Issue),
  omittedErrors: z.number().int().optional(),
  omittedWarnings: z.number().int().optional(),
});
export type ValidateOutput = z.infer<typeof ValidateOutput>;

// ---- clinical-ft eval --json: the summary on stdout, one EvalOutputLine per example in <outDir>/outputs.jsonl ----
const ClassStats = z.strictObject({ label: z.string(), precision: z.number(), recall: z.number(), f1: z.number(), support: z.number().int() });
export const ClassificationReportSchema = z.strictObject({
  accuracy: z.number(),
  macroF1: z.number(),
  perClass: z.array(ClassStats),
  unparsed: z.number().int(),
  count: z.number().int(),
});
export const EvalSummary = z.strictObject({
  task: z.enum(['classification', 'free_text']),
  count: z.number().int(),
  classification: ClassificationReportSchema.optional(),
  rougeL: z.strictObject({ precision: z.number(), recall: z.number(), fmeasure: z.number() }).optional(),
  outDir: z.string(),
});
export type EvalSummary = z.infer<typeof EvalSummary>;

export const EvalOutput = z.strictObject({
  line: z.number().int(),
  id: z.union([z.string(), z.number()]).optional(),
  prompt: z.string(),
  reference: z.string(),
  output: z.string(),
  predicted_label: z.string().nullable().optional(),
  correct: z.boolean().optional(),
  rougeL: z.number().optional(),
});
export type EvalOutput = z.infer<typeof EvalOutput>;

// ---- clinical-ft inspect --json: one object per record ----
const InspectedSequence = z.strictObject({
  /** Exactly what the trainer feeds, after the chat template (special tokens included). */
  text: z.string(),
  tokens: z.array(z.number().int()),
  /** Each token's text. */
  pieces: z.array(z.string()),
  /** One boolean per token: does it carry loss. */
  trained: z.array(z.boolean()),
  /** One boolean per token: a special token of the tokenizer (BOS, EOS, the template's markers). */
  special: z.array(z.boolean()),
  /** The sequence was longer than --max-length and was cut. */
  truncated: z.boolean(),
  trainedCount: z.number().int(),
  /** Answer tokens that truncation removed: > 0 means the cut reached the answer. */
  droppedTrained: z.number().int(),
});
export const InspectRecord = InspectedSequence.extend({
  line: z.number().int(),
  format: z.string(),
  /** DPO records: the fields above show the chosen sequence, this the rejected one. */
  rejected: InspectedSequence.optional(),
});
export type InspectRecord = z.infer<typeof InspectRecord>;
export type InspectedSequence = z.infer<typeof InspectedSequence>;
