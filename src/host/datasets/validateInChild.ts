import * as path from 'node:path';
import type { ValidationResult } from '../../core/datasets/issues';
import { ValidateOutput } from '../../core/protocol/cliOutputs';
import type { TrainerChildren } from '../trainerChildren';

/**
 * Runs `clinical-ft validate --json` (the CLI contract) in a child process so that a big file never blocks the
 * extension host. `text` is sent on stdin for unsaved documents; otherwise the child reads `file` itself.
 */
export async function validateInChild(children: TrainerChildren, file: string, opts: { phiAsErrors: boolean; text?: string; allowList?: string }): Promise<ValidationResult> {
  // Text on stdin has no folder to find the workspace allow-list from: the host names it.
  const args = ['validate', opts.text === undefined ? file : '-', '--json', ...(opts.phiAsErrors ? ['--phi-errors'] : []), ...(opts.allowList ? ['--allow-list', opts.allowList] : [])];
  const r = await children.run({ label: `validate ${path.basename(file)}`, args, ...(opts.text !== undefined ? { input: opts.text } : {}) }).result;
  try {
    const parsed = ValidateOutput.safeParse(JSON.parse(r.stdout));
    if (parsed.success && (r.code === 0 || r.code === 1)) return parsed.data as ValidationResult;
  } catch {
    // fall through to the error below
  }
  throw new Error(`validating ${path.basename(file)} failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim().split('\n')[0] || 'no output'}`);
}
