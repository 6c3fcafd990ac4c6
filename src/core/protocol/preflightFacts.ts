import { METHODS } from '../preferences/methods';
import { z } from 'zod';
import { ResolvedBackend } from '../runConfig';

/**
 * `clinical-ft preflight --json`: what a run's defaults and its review need to know before training, measured in
 * a trainer child (the model's tokenizer and template are untrusted workspace input): the model's size, where
 * its weights would live, and every training example's token counts as the trainer feeds it.
 */
export const PreflightFacts = z.strictObject({
  model: z.strictObject({
    parameters: z.number().int().positive(),
    maxPositions: z.number().int().positive(),
    shape: z.strictObject({
      vocabSize: z.number().int().positive(),
      hiddenSize: z.number().int().positive(),
      numLayers: z.number().int().positive(),
      numHeads: z.number().int().positive(),
      numKvHeads: z.number().int().positive(),
      headDim: z.number().int().positive(),
      intermediateSize: z.number().int().positive(),
      tieWordEmbeddings: z.boolean(),
      attentionBias: z.boolean(),
    }),
  }),
  backend: ResolvedBackend,
  memory: z.strictObject({
    storedBytesPerWeight: z.number().positive(),
    nativeWeights: z.boolean(),
    logitChunkFloats: z.number().int().positive(),
    heapBytes: z.number().positive().optional(),
    availableBytes: z.number().positive(),
  }),
  data: z.strictObject({
    method: z.enum(METHODS),
    /** [line, tokens of the whole example, tokens before its first trained token (the prompt)]. */
    examples: z.array(z.tuple([z.number().int().positive(), z.number().int().nonnegative(), z.number().int().nonnegative()])),
  }),
});
export type PreflightFacts = z.infer<typeof PreflightFacts>;
