import * as fs from 'node:fs';
import * as path from 'node:path';
import { TOKEN_COUNT_MAX_CHARS, TokenLengthsReport } from '../../core/datasets/tokenLengths';
import type { ChildResult, TrainerChildren } from '../trainerChildren';
import type { TokenCount } from '../../core/node/previewStats';
import { defaultModelFolder } from '../modelFolder';

/** A tokenizer that takes longer than this on a dataset is given up on, and the preview says so. */
export const TOKEN_COUNT_TIMEOUT_MS = 60_000;


/**
 * Token lengths of every record, counted in a trainer child (`clinical-ft token-lengths`): the tokenizer.json
 * comes from the workspace, and a pathological one must cost a child process, never the extension host.
 * Undefined when no tokenizer is found (lengths stay in characters).
 */
export function countTokensInChild(children: TrainerChildren, extensionPath: string, file: string, timeoutMs = TOKEN_COUNT_TIMEOUT_MS): { cancel: () => void; result: Promise<TokenCount> } | undefined {
  const dir = defaultModelFolder(extensionPath);
  if (!dir || !fs.existsSync(path.join(dir, 'tokenizer.json'))) return undefined;
  const { child, result } = children.run({
    label: `token lengths ${path.basename(file)}`,
    args: ['token-lengths', '--tokenizer', dir, '--data', file, '--max-chars', String(TOKEN_COUNT_MAX_CHARS), '--json'],
    timeoutMs,
  });
  return { cancel: () => child.kill(), result: result.then((r) => interpret(r, dir, timeoutMs)) };
}

function interpret(r: ChildResult, dir: string, timeoutMs: number): TokenCount {
  if (r.timedOut) return { ok: false, reason: `the ${path.basename(dir)} tokenizer took longer than ${timeoutMs / 1000} s on this file and was stopped` };
  if (r.cancelled) return { ok: false, reason: 'cancelled' };
  if (r.startError) return { ok: false, reason: `the trainer could not start: ${r.startError}` };
  if (r.code === 0) {
    try {
      const parsed = TokenLengthsReport.safeParse(JSON.parse(r.stdout));
      if (parsed.success) return { ok: true, report: parsed.data };
    } catch {
      // reported below
    }
  }
  const why = r.stderr.trim().split('\n').slice(-1)[0] || (r.signal ? `it was killed (${r.signal})` : `exit code ${r.code}`);
  return { ok: false, reason: `counting tokens with ${path.basename(dir)} failed: ${why}` };
}
