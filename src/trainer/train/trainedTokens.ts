import type { DpoExample, TokenizedExample } from '../prompt/renderRecord';

export function trainedTokenCount(e: TokenizedExample): number {
  let n = 0;
  for (const m of e.lossMask) n += m;
  return n;
}

/** An example the loss cannot see: right-truncation cut off every token it would train on. */
export function trainsNothing(e: TokenizedExample | DpoExample): boolean {
  return 'chosen' in e ? trainedTokenCount(e.chosen) === 0 || trainedTokenCount(e.rejected) === 0 : trainedTokenCount(e) === 0;
}

/**
 * Refuses a micro-batch with no trained token: its loss is 0 and its gradient nothing, so a run made of
 * such batches would "complete" having learned nothing. `sources` names each example (file:line).
 */
export function assertBatchTrains(examples: readonly (TokenizedExample | DpoExample)[], indices: readonly number[], sources: readonly string[] | undefined, maxLength: number, step: number): void {
  const tokens = indices.reduce((n, i) => {
    const e = examples[i];
    return n + ('chosen' in e ? trainedTokenCount(e.chosen) + trainedTokenCount(e.rejected) : trainedTokenCount(e));
  }, 0);
  if (tokens > 0) return;
  const named = indices.map((i) => sources?.[i] ?? `example ${i + 1}`).join(', ');
  throw new Error(
    `Training stopped at step ${step}: its batch has no token to train on — --max-length ${maxLength} cut off every answer token of ${named}. Raise --max-length, shorten those prompts, or remove those examples.`,
  );
}
