import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { initBackend } from '../backend';
import { loadWithAdapter, scoreTokens, tokensFor } from '../engine/scoring';
import { backendFlag, stringFlag, withEngineErrors } from './engineFlags';

const usage = `Usage: clinical-ft score --model DIR [--adapter DIR] (--text T | --ids 1,2,3) [--backend auto|tensorflow|wasm|cpu]
Prints {"tokens":[ids...],"logprobs":[null, lp1, ...]} where lp_i = log p(token_i | tokens_<i).
--text is tokenized with the model's tokenizer.json including its post-processor (e.g. BOS).
Exit: 0 scored, 2 bad flags or an unreadable model/adapter folder.`;

function parseIds(s: string): number[] {
  const parts = s.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError('--ids must be comma-separated non-negative integers, e.g. --ids 1,2,3');
  return parts.map(Number);
}

export const scoreCommand: CliCommand = {
  summary: 'print per-token log-probabilities of a text under a model (+ adapter)',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, { model: 'string', adapter: 'string', text: 'string', ids: 'string', backend: 'string' });
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      const model = stringFlag('model', flags.model);
      if (!model) throw new UsageError('--model DIR is required');
      const text = flags.text === undefined ? undefined : String(flags.text);
      const idsFlag = stringFlag('ids', flags.ids);
      if ((text === undefined) === (idsFlag === undefined)) throw new UsageError('give exactly one of --text or --ids');
      const ids = idsFlag === undefined ? undefined : parseIds(idsFlag);
      const backend = backendFlag(flags.backend);
      const adapter = stringFlag('adapter', flags.adapter);
      return withEngineErrors(async () => {
        await initBackend(backend);
        const m = await loadWithAdapter(model, adapter);
        try {
          const r = scoreTokens(m, tokensFor(m, { ...(text !== undefined ? { text } : {}), ...(ids ? { ids } : {}) }));
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return 0;
        } finally {
          m.model.dispose();
        }
      });
    }),
};
