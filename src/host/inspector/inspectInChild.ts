import * as path from 'node:path';
import { InspectRecord } from '../../core/protocol/cliOutputs';
import type { InspectorTarget } from '../../core/protocol/inspector';
import type { TrainerChildren } from '../trainerChildren';

/**
 * Runs `clinical-ft inspect --json --line N` (the CLI contract) in a trainer child through the host's one owner, so
 * the host shows exactly what the trainer's renderer produces, parsed with the schema the CLI writes it with.
 */
export async function inspectInChild(children: TrainerChildren, target: InspectorTarget): Promise<InspectRecord> {
  const args = ['inspect', '--model', target.model, '--data', target.file, '--line', String(target.line), '--max-length', String(target.maxLength), '--json'];
  const r = await children.run({ label: `inspect ${path.basename(target.file)}:${target.line}`, args }).result;
  // Exit 1 is a record that trains nothing: still a result to show.
  if (r.code === 0 || r.code === 1) {
    try {
      const parsed = InspectRecord.safeParse(JSON.parse(r.stdout));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through to the error below
    }
  }
  throw new Error(r.startError ?? (r.stderr.trim().replace(/^clinical-ft inspect: /, '').split('\n')[0] || `inspect exited with code ${r.code}`));
}
