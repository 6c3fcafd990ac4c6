import * as cp from 'node:child_process';
import * as path from 'node:path';
import { InspectRecord } from '../../core/protocol/cliOutputs';
import type { InspectorTarget } from '../../core/protocol/inspector';
import { configuredNodePath } from '../trainerProcess';

/**
 * Runs `clinical-ft inspect --json --line N` (the CLI contract) in the trainer child, so the host shows exactly what
 * the trainer's renderer produces, and parses its line with the schema the CLI writes it with.
 * TODO(lead): route through the host's one child-process owner once branch hostile-host is merged.
 */
export function inspectInChild(extensionPath: string, target: InspectorTarget): Promise<InspectRecord> {
  return new Promise((resolve, reject) => {
    const args = ['inspect', '--model', target.model, '--data', target.file, '--line', String(target.line), '--max-length', String(target.maxLength), '--json'];
    const child = cp.fork(path.join(extensionPath, 'dist', 'trainer.js'), args, { execPath: configuredNodePath(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      // Exit 1 is a record that trains nothing: still a result to show.
      if (code === 0 || code === 1) {
        try {
          const parsed = InspectRecord.safeParse(JSON.parse(Buffer.concat(out).toString('utf8')));
          if (parsed.success) return resolve(parsed.data);
        } catch {
          // fall through to the error below
        }
      }
      reject(new Error(err.trim().replace(/^clinical-ft inspect: /, '').split('\n')[0] || `inspect exited with code ${code}`));
    });
  });
}
