import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { stringFlag } from './engineFlags';
import { checkExportOptions, exportModel, type ExportFormat } from '../export/exportModel';
import { ExportCancelled } from '../export/exportSteps';
import type { ExportEvent } from '../../core/export/exportEvents';

const usage = `Usage: clinical-ft export --model DIR [--adapter DIR] --out DIR --format hf|gguf [--dtype bf16|f16|f32] [--quant q8_0] [--json]
Merges the LoRA adapter into the base weights (W + scale·B·A, in float32, rounded once) and writes:
  hf    a Hugging Face folder: safetensors (sharded at 5 GB, with model.safetensors.index.json), config.json,
        generation_config.json, tokenizer files and chat template. --dtype defaults to the base's dtype.
  gguf  a GGUF v3 file for llama.cpp (f16, or --quant q8_0) and an Ollama Modelfile (TEMPLATE from the chat
        template, stop tokens, generation parameters). Llama, Mistral, Qwen2 and Qwen3 with byte-level BPE tokenizers.
--out must not exist (or be an empty folder); it appears only when the export is complete. SIGTERM cancels
and leaves no output. --json prints one JSON event per line (progress, warning, done, failed).
Exit: 0 exported, 1 cancelled, 2 bad flags or a model/adapter that cannot be exported (named).`;

const FLAGS = { model: 'string', adapter: 'string', out: 'string', format: 'string', dtype: 'string', quant: 'string', json: 'boolean', 'max-shard-bytes': 'string' } as const;

export const exportCommand: CliCommand = {
  summary: 'merge a LoRA adapter into its base model and write a Hugging Face folder or a GGUF file (+ Ollama Modelfile)',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, FLAGS);
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      const model = stringFlag('model', flags.model);
      const out = stringFlag('out', flags.out);
      const format = stringFlag('format', flags.format);
      if (!model) throw new UsageError('--model DIR is required');
      if (!out) throw new UsageError('--out DIR is required');
      if (!format) throw new UsageError('--format hf|gguf is required');
      const dtype = stringFlag('dtype', flags.dtype);
      const quant = stringFlag('quant', flags.quant);
      const adapter = stringFlag('adapter', flags.adapter);
      const shardFlag = stringFlag('max-shard-bytes', flags['max-shard-bytes']);
      const maxShardBytes = shardFlag === undefined ? undefined : Number(shardFlag);
      if (maxShardBytes !== undefined && !(Number.isSafeInteger(maxShardBytes) && maxShardBytes > 0)) throw new UsageError('--max-shard-bytes must be a positive integer');
      try {
        checkExportOptions(format, dtype, quant);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const json = flags.json === true;
      const emit = (e: ExportEvent): void => {
        if (json) process.stdout.write(`${JSON.stringify(e)}\n`);
      };
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      let lastPct = -1;
      try {
        const r = await exportModel({
          model,
          ...(adapter ? { adapter } : {}),
          out,
          format: format as ExportFormat,
          ...(dtype ? { dtype } : {}),
          ...(quant ? { quant } : {}),
          ...(maxShardBytes ? { maxShardBytes } : {}),
          signal: abort.signal,
          onProgress: (p) => {
            emit({ type: 'progress', ...p });
            const pct = Math.floor((100 * p.done) / Math.max(1, p.total));
            if (!json && (pct !== lastPct || p.done === p.total)) process.stderr.write(`export: ${pct}% (${p.done}/${p.total}) ${p.message}\n`);
            lastPct = pct;
          },
          onWarning: (message) => {
            emit({ type: 'warning', message });
            process.stderr.write(`clinical-ft export: warning: ${message}\n`);
          },
        });
        emit({ type: 'done', out: r.out, files: r.files, mergedTensors: r.mergedTensors });
        if (!json) process.stdout.write(`exported ${r.out} (${r.mergedTensors} tensors merged with the adapter): ${r.files.join(', ')}\n`);
        return 0;
      } catch (e) {
        const cancelled = e instanceof ExportCancelled;
        const message = e instanceof Error ? e.message : String(e);
        emit({ type: 'failed', message, cancelled });
        process.stderr.write(`clinical-ft export: ${message}${cancelled ? ' (no output written)' : ''}\n`);
        // Every other failure names its file and field (ExportError, config/safetensors/tokenizer errors): exit 2.
        return cancelled ? 1 : 2;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    }),
};
