export interface StageCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Names of the skipped tests the stage printed. */
  names: string[];
}
export function counts(out: string): StageCounts;
export function undeclaredSkips(stage: string, c: StageCounts, declared: { stage: string; test: string }[]): string[];
