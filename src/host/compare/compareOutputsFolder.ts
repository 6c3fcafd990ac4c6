import * as path from 'node:path';
import { runsFolder } from '../runsFolder';

/**
 * Where "Compare runs: outputs side by side" keeps each evaluation's metrics.json and outputs.jsonl (model
 * outputs next to the gold answers — clinical text): `compare/` beside the runs folder, one folder per comparison.
 */
export function compareOutputsFolder(): string | undefined {
  const root = runsFolder();
  return root ? path.join(path.dirname(root), 'compare') : undefined;
}
