import * as path from 'node:path';
import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { initBackend } from '../backend';
import { Backend } from '../../core/runConfig';
import { loadModel } from '../engine';
import { runEval } from '../eval/runEval';
import { EvalSummary } from '../../core/protocol/cliOutputs';
import { DataError } from '../train/dataLoader';

const usage = `Usage: clinical-ft eval --model DIR [--adapter DIR] --data FILE [--out DIR] [--max-new-tokens N]
                        [--backend auto|tensorflow|wasm|cpu] [--json]
Generates greedily for every record of an SFT-format file. Classification sets (a "label" field, or
completions from a small set of answers) get accuracy, macro-F1 and per-class precision/recall; free
text gets ROUGE-L. metrics.json and outputs.jsonl (each answer) go to --out, by default
<run>/eval/<data name> when --adapter is a run's adapter folder, else ./eval-<data name>.`;

function defaultOut(adapter: string | undefined, data: string): string {
  const name = path.basename(data).replace(/\.jsonl?$/, '');
  if (adapter && path.basename(path.resolve(adapter)) === 'adapter') return path.join(path.dirname(path.resolve(adapter)), 'eval', name);
  return path.resolve(`eval-${name}`);
}

function formatSummary(s: EvalSummary): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  if (s.classification) {
    const c = s.classification;
    const rows = c.perClass.map((k) => `  ${(/\s/.test(k.label.trim()) || k.label.includes('\n') ? JSON.stringify(k.label) : k.label).padEnd(20)} precision ${pct(k.precision).padStart(6)}  recall ${pct(k.recall).padStart(6)}  f1 ${pct(k.f1).padStart(6)}  n=${k.support}`);
    return `classification, ${c.count} examples\naccuracy ${pct(c.accuracy)}  macro-F1 ${pct(c.macroF1)}${c.unparsed ? `  (${c.unparsed} answers named no label)` : ''}\n${rows.join('\n')}\noutputs: ${s.outDir}\n`;
  }
  const r = s.rougeL!;
  return `free text, ${s.count} examples\nROUGE-L F ${r.fmeasure.toFixed(4)}  P ${r.precision.toFixed(4)}  R ${r.recall.toFixed(4)}\noutputs: ${s.outDir}\n`;
}

export const evalCommand: CliCommand = {
  summary: 'evaluate a model (+ adapter) on a dataset: accuracy/macro-F1 or ROUGE-L',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags } = parseArgs(args, { model: 'string', adapter: 'string', data: 'string', out: 'string', 'max-new-tokens': 'string', backend: 'string', json: 'boolean' });
      if (typeof flags.model !== 'string') throw new UsageError('--model DIR is required');
      if (typeof flags.data !== 'string') throw new UsageError('--data FILE is required');
      const backendPref = Backend.safeParse(flags.backend ?? 'auto');
      if (!backendPref.success) throw new UsageError('--backend must be one of auto, tensorflow, wasm, cpu');
      let maxNewTokens: number | undefined;
      if (flags['max-new-tokens'] !== undefined) {
        maxNewTokens = Number(flags['max-new-tokens']);
        if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new UsageError('--max-new-tokens must be a positive integer');
      }
      const adapter = typeof flags.adapter === 'string' ? flags.adapter : undefined;
      const out = typeof flags.out === 'string' ? flags.out : defaultOut(adapter, flags.data);
      await initBackend(backendPref.data);
      const m = await loadModel(flags.model);
      try {
        if (adapter) await m.model.lora.loadTrainable(adapter);
        const summary = await runEval(m, flags.data, out, {
          ...(maxNewTokens ? { maxNewTokens } : {}),
          onProgress: (done, total) => {
            if (!flags.json && process.stderr.isTTY) process.stderr.write(`\r${done}/${total}`);
          },
        });
        if (!flags.json && process.stderr.isTTY) process.stderr.write('\n');
        process.stdout.write(flags.json ? `${JSON.stringify(EvalSummary.parse(summary), null, 2)}\n` : formatSummary(summary));
        return 0;
      } catch (e) {
        if (e instanceof DataError) {
          process.stderr.write(`clinical-ft: ${e.message}\n`);
          return 2;
        }
        throw e;
      } finally {
        m.model.dispose();
      }
    }),
};
