import * as path from 'node:path';
import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { EXPORT_FORMATS, factSheetFiles, type ExportFormat } from '../../core/factsheet/exports';
import { FactSheetInputs } from '../../core/factsheet/inputs';
import { exportTarget, readAnswers, writeFactSheetFiles } from '../../core/node/factSheetFiles';
import { FactSheetError, gatherInputs } from '../factsheet/gatherInputs';

const usage = `Usage: clinical-ft factsheet --run DIR [--compare DIR ...] [--labels FILE ...] [--out PATH]
                             [--format md|html|json|chai|all] [--inputs-json]
Builds a model fact sheet from a run folder's artifacts: base model (sha256 of its weights), method and resolved
config, engine and backend, data files (sha256, records, duplicates, PHI by kind, train/eval leakage), loss curves,
final losses, DPO reward accuracy, the evaluation table (mean ± sd over the runs of each row), per-subgroup
metrics (meta.subgroup), annotator agreement and the environment. Person-written fields come from
DIR/factsheet.answers.json (the fact sheet panel's form); unanswered ones are marked, never filled in.
  --compare DIR  another run (its evaluations join the table by method) or an evaluation folder without run.json
                 (the "base" row, e.g. the demo's base/ or a "clinical-ft eval --out" folder); repeatable
  --labels FILE  preference label files (*.prefs.jsonl); two files → Cohen's kappa between them; repeatable
  --out PATH     a folder (files factsheet.md, .html, .json, .xml inside) or a path without extension;
                 default DIR/factsheet/
  --format       md (+ SVG charts), html (self-contained), json (ONC HTI-1 31 source attributes),
                 chai (CHAI Applied Model Card XML), all (default)
  --inputs-json  print the gathered facts as JSON instead of writing files (the extension reads this)`;

/** Repeatable flags the strict parser does not take: pulled out first. */
function takeRepeated(args: string[], flag: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${flag}`) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`--${flag} needs a value`);
      values.push(v);
    } else if (args[i].startsWith(`--${flag}=`)) values.push(args[i].slice(flag.length + 3));
    else rest.push(args[i]);
  }
  return { values, rest };
}

export const factsheetCommand: CliCommand = {
  summary: 'build a model fact sheet (Markdown, HTML, HTI-1 JSON, CHAI XML) from a run folder',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const compare = takeRepeated(args, 'compare');
      const labels = takeRepeated(compare.rest, 'labels');
      const { flags, positional } = parseArgs(labels.rest, { run: 'string', out: 'string', format: 'string', 'inputs-json': 'boolean' });
      if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
      if (typeof flags.run !== 'string') throw new UsageError('--run DIR is required');
      const format = (flags.format ?? 'all') as string;
      if (format !== 'all' && !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError('--format must be md, html, json, chai or all');
      const formats: ExportFormat[] = format === 'all' ? [...EXPORT_FORMATS] : [format as ExportFormat];
      try {
        const inputs = await gatherInputs({
          run: flags.run,
          compare: compare.values,
          labels: labels.values,
          environment: async () => {
            try {
              const { environmentReport } = await import('../backend');
              return await environmentReport('auto');
            } catch {
              return null;
            }
          },
        });
        if (flags['inputs-json']) {
          process.stdout.write(`${JSON.stringify(FactSheetInputs.parse(inputs))}\n`);
          return 0;
        }
        const answers = readAnswers(flags.run);
        const target = exportTarget(typeof flags.out === 'string' ? flags.out : path.join(flags.run, 'factsheet') + path.sep);
        for (const p of writeFactSheetFiles(target.dir, factSheetFiles(inputs, answers, formats, target.stem))) process.stdout.write(`${p}\n`);
        return 0;
      } catch (e) {
        if (e instanceof UsageError) throw e;
        const err = e as NodeJS.ErrnoException;
        if (e instanceof FactSheetError || err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR' || e instanceof Error) {
          process.stderr.write(`clinical-ft factsheet: ${err.code === 'ENOENT' ? `no such file: ${err.path}` : err.message}\n`);
          return 2;
        }
        throw e;
      }
    }),
};
