import { isMethod, METHODS } from '../../core/preferences/methods';
import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { Backend } from '../../core/runConfig';
import { PreflightFacts } from '../../core/protocol/preflightFacts';
import { DataError } from '../train/dataLoader';
import { preflightFacts } from '../preflight/preflightFacts';

const usage = `Usage: clinical-ft preflight --model DIR --data FILE --method sft|dpo|kto|orpo|simpo [--backend auto|tensorflow|wasm|cpu] --json
  What a run's defaults and the Start run review's pre-flight are computed from: the model's size and context,
  where its weights would live, the memory this machine has, and every training example's token count as the
  trainer feeds it (whole example and prompt), as one JSON object.
Exit: 0 printed, 2 bad flags, an unreadable model folder or invalid data.`;

export const preflightCommand: CliCommand = {
  summary: 'model size, memory and every example\'s token counts, for defaults and the run review',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, { model: 'string', data: 'string', method: 'string', backend: 'string', json: 'boolean' });
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      const { model, data, method } = flags;
      if (typeof model !== 'string' || typeof data !== 'string') throw new UsageError('--model DIR and --data FILE are required');
      if (!isMethod(method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}`);
      const backend = Backend.safeParse(flags.backend ?? 'auto');
      if (!backend.success) throw new UsageError('--backend must be auto, tensorflow, wasm or cpu');
      try {
        const facts = await preflightFacts(model, data, method, backend.data);
        process.stdout.write(`${JSON.stringify(PreflightFacts.parse(facts))}\n`);
        return 0;
      } catch (e) {
        // Bad data (DataError names file and line) or an unreadable model folder: a message, never a stack.
        process.stderr.write(`clinical-ft preflight: ${e instanceof DataError || e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
    }),
};
