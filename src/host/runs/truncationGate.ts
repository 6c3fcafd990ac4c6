import type { RunConfig } from '../../core/runConfig';
import { coveringMaxLength, type Preflight } from '../../core/runs/preflight';
import type { PreflightFacts } from '../../core/protocol/preflightFacts';
import type { StartFlowSession } from './startFlowSession';

const START_ANYWAY = '$(warning) Start anyway, with cut answers';
const BACK = '$(arrow-left) Back to the review';

/**
 * Truncation that cuts answers is started only when the person says so, in the same quick pick (Escape ends the
 * flow like everywhere else). 'start', a max length to use instead, 'back', or undefined (cancelled).
 */
export async function confirmTruncation(flow: StartFlowSession, p: Preflight, c: RunConfig, facts: PreflightFacts): Promise<'start' | 'back' | number | undefined> {
  const cover = coveringMaxLength(facts, c.maxLength);
  const items = [
    { label: START_ANYWAY, description: `${p.truncation.answersCut} answers cut at max length ${c.maxLength}`, choice: 'start' as const },
    ...(cover !== undefined ? [{ label: `$(arrow-up) Raise max length to ${cover}`, description: 'no answer is cut', detail: `the model allows ${facts.model.maxPositions} tokens; longer examples cost memory and time (see the pre-flight)`, choice: cover }] : []),
    { label: BACK, choice: 'back' as const },
  ];
  const picked = await flow.choose({ title: 'Answers would be cut — start anyway?', placeholder: p.mustAccept }, items);
  return picked?.choice;
}
