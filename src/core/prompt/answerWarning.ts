import type { InspectRecord, InspectedSequence } from '../protocol/cliOutputs';

/** Why a sequence trains nothing or less than its whole answer; undefined when all of it is trained. */
export function answerWarning(s: InspectedSequence, maxLength: number): string | undefined {
  if (s.trainedCount === 0) return s.droppedTrained > 0 ? `no answer token survives truncation to ${maxLength} tokens: this record trains nothing` : 'no token carries loss: this record trains nothing';
  if (s.droppedTrained > 0) return `truncation to ${maxLength} tokens cut ${s.droppedTrained} answer token${s.droppedTrained === 1 ? '' : 's'}`;
  return undefined;
}

/** The record's warning (DPO: either side's). */
export function recordWarning(r: InspectRecord, maxLength: number): string | undefined {
  const own = answerWarning(r, maxLength);
  const rejected = r.rejected ? answerWarning(r.rejected, maxLength) : undefined;
  return own && r.rejected ? `chosen: ${own}` : own ?? (rejected ? `rejected: ${rejected}` : undefined);
}
