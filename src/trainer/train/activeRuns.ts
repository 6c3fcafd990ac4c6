/**
 * Training runs in progress in this process, by request id. Kept apart from the request handlers so
 * child.ts can ask "is anything still training?" without an import cycle.
 */
export interface ActiveRun {
  stop: boolean;
}

export const activeRuns = new Map<string, ActiveRun>();

export function activeTrainingRuns(): number {
  return activeRuns.size;
}
