import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { initBackend } from '../backend';
import { loadWithAdapter } from '../engine/scoring';
import { generationPromptIds } from '../engine/generationPrompt';
import { generate } from '../engine/generate';
import { backendFlag, numberFlag, stringFlag, withEngineErrors } from './engineFlags';

const usage = `Usage: clinical-ft generate --model DIR [--adapter DIR] --prompt T [--max-new-tokens N] [--temperature 0]
                            [--top-p 1] [--seed S] [--chat] [--json] [--backend auto|tensorflow|wasm|cpu]
Streams the continuation to stdout as it is generated, stopping at an end-of-sequence token.
--temperature 0 is greedy; above 0 samples (with --top-p nucleus filtering), reproducibly per --seed.
--chat wraps the prompt as a user message with the model's chat template (tokenizer_config.json).
--json prints one {"text","tokens","stoppedAt"} object at the end instead of streaming.
Exit: 0 generated, 2 bad flags or an unreadable model/adapter folder.`;

export const generateCommand: CliCommand = {
  summary: 'generate a continuation of a prompt with a model (+ adapter)',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, {
        model: 'string',
        adapter: 'string',
        prompt: 'string',
        'max-new-tokens': 'string',
        temperature: 'string',
        'top-p': 'string',
        seed: 'string',
        chat: 'boolean',
        json: 'boolean',
        backend: 'string',
      });
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      const model = stringFlag('model', flags.model);
      if (!model) throw new UsageError('--model DIR is required');
      if (typeof flags.prompt !== 'string') throw new UsageError('--prompt T is required');
      const prompt = flags.prompt;
      const maxNewTokens = numberFlag('max-new-tokens', flags['max-new-tokens'], 128, (n) => Number.isInteger(n) && n > 0 && n <= 8192, 'an integer from 1 to 8192');
      const temperature = numberFlag('temperature', flags.temperature, 0, (n) => n >= 0, 'a number ≥ 0');
      const topP = numberFlag('top-p', flags['top-p'], 1, (n) => n > 0 && n <= 1, 'a number in (0, 1]');
      const seed = numberFlag('seed', flags.seed, 0, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
      const backend = backendFlag(flags.backend);
      const adapter = stringFlag('adapter', flags.adapter);
      return withEngineErrors(async () => {
        await initBackend(backend);
        const m = await loadWithAdapter(model, adapter);
        try {
          // --chat asks for the template explicitly, so a model without one is an error here, not a fallback.
          if (flags.chat && !m.chatTemplate) throw new Error(`${model}: tokenizer_config.json has no chat_template (drop --chat)`);
          const { ids } = generationPromptIds(m, { text: prompt, ...(flags.chat ? { messages: [{ role: 'user', content: prompt }] } : {}) });
          const ac = new AbortController();
          const onSignal = () => ac.abort();
          process.once('SIGINT', onSignal);
          try {
            const r = await generate(m, ids, {
              maxNewTokens,
              temperature,
              topP,
              seed,
              signal: ac.signal,
              ...(flags.json ? {} : { onToken: (_id: number, piece: string) => process.stdout.write(piece) }),
            });
            process.stdout.write(flags.json ? `${JSON.stringify({ text: r.text, tokens: r.ids, stoppedAt: r.stoppedAt })}\n` : '\n');
          } finally {
            process.off('SIGINT', onSignal);
          }
          return 0;
        } finally {
          m.model.dispose();
        }
      });
    }),
};
