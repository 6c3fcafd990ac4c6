import type { Method } from '../../core/preferences/methods';
import * as path from 'node:path';
import { PreflightFacts } from '../../core/protocol/preflightFacts';
import type { TrainerChildren } from '../trainerChildren';

/** Tokenizing a large dataset with a pathological tokenizer must end; the review then says why. */
export const PREFLIGHT_TIMEOUT_MS = 120_000;

export type PreflightResult = { ok: true; facts: PreflightFacts } | { ok: false; reason: string };

/**
 * `clinical-ft preflight --json` in a trainer child: the workspace's tokenizer and template are untrusted input and
 * cost a child process, never the extension host. No vscode import: unit tests run it.
 */
export async function runPreflight(children: TrainerChildren, model: string, data: string, method: Method, signal?: AbortSignal): Promise<PreflightResult> {
  const { child, result } = children.run({ label: `preflight ${path.basename(data)}`, args: ['preflight', '--model', model, '--data', data, '--method', method, '--json'], timeoutMs: PREFLIGHT_TIMEOUT_MS });
  const stop = () => child.kill();
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  const r = await result.finally(() => signal?.removeEventListener('abort', stop));
  if (r.timedOut) return { ok: false, reason: `measuring ${path.basename(data)} took longer than ${PREFLIGHT_TIMEOUT_MS / 1000} s and was stopped` };
  if (r.cancelled) return { ok: false, reason: 'cancelled' };
  if (r.startError) return { ok: false, reason: `the trainer could not start: ${r.startError}` };
  if (r.code === 0) {
    try {
      const parsed = PreflightFacts.safeParse(JSON.parse(r.stdout));
      if (parsed.success) return { ok: true, facts: parsed.data };
    } catch {
      // reported below
    }
  }
  return { ok: false, reason: r.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${r.code}` };
}
