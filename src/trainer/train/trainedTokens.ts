import type { DpoExample, KtoExample, TokenizedExample } from '../prompt/renderRecord';

type AnyExample = TokenizedExample | DpoExample | KtoExample;

/** Tokens the loss sees: both sides of a pair, a KTO example's completion (its KL row trains nothing). */
function trainedTokensOf(e: AnyExample): number {
  if ('chosen' in e) return trainedTokenCount(e.chosen) + trainedTokenCount(e.rejected);
  return 'completion' in e ? trainedTokenCount(e.completion) : trainedTokenCount(e);
}

export function trainedTokenCount(e: TokenizedExample): number {
  let n = 0;
  for (const m of e.lossMask) n += m;
  return n;
}

/** An example the loss cannot see: right-truncation cut off every token it would train on. */
export function trainsNothing(e: AnyExample): boolean {
  return 'chosen' in e ? trainedTokenCount(e.chosen) === 0 || trainedTokenCount(e.rejected) === 0 : trainedTokensOf(e) === 0;
}

/**
 * Refuses a micro-batch with no trained token: its loss is 0 and its gradient nothing, so a run made of
 * such batches would "complete" having learned nothing. `sources` names each example (file:line).
 */
export function assertBatchTrains(examples: readonly AnyExample[], indices: readonly number[], sources: readonly string[] | undefined, maxLength: number, step: number): void {
  const tokens = indices.reduce((n, i) => {
    return n + trainedTokensOf(examples[i]);
  }, 0);
  if (tokens > 0) return;
  const named = indices.map((i) => sources?.[i] ?? `example ${i + 1}`).join(', ');
  throw new Error(
    `Training stopped at step ${step}: its batch has no token to train on — --max-length ${maxLength} cut off every answer token of ${named}. Raise --max-length, shorten those prompts, or remove those examples.`,
  );
}
