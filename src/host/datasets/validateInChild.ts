import * as cp from 'node:child_process';
import * as path from 'node:path';
import type { ValidationResult } from '../../core/datasets/issues';
import { ValidateOutput } from '../../core/protocol/cliOutputs';
import { configuredNodePath } from '../trainerProcess';

/**
 * Runs `clinical-ft validate --json` (the CLI contract) in a child process so that a big file never blocks the
 * extension host. `text` is sent on stdin for unsaved documents; otherwise the child reads `file` itself.
 */
export function validateInChild(extensionPath: string, file: string, opts: { phiAsErrors: boolean; text?: string }): Promise<ValidationResult> {
  return new Promise((resolve, reject) => {
    const args = ['validate', opts.text === undefined ? file : '-', '--json', ...(opts.phiAsErrors ? ['--phi-errors'] : [])];
    const child = cp.fork(path.join(extensionPath, 'dist', 'trainer.js'), args, {
      execPath: configuredNodePath(),
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        const parsed = ValidateOutput.safeParse(JSON.parse(Buffer.concat(out).toString('utf8')));
        if (parsed.success && (code === 0 || code === 1)) return resolve(parsed.data as ValidationResult);
      } catch {
        // fall through to the error below
      }
      reject(new Error(`validating ${path.basename(file)} failed (exit ${code}): ${err.trim().split('\n')[0] || 'no output'}`));
    });
    if (opts.text !== undefined) child.stdin?.end(opts.text, 'utf8');
    else child.stdin?.end();
  });
}
