import * as fs from 'node:fs';
import * as path from 'node:path';
import { ValidateOutput } from '../../core/protocol/cliOutputs';
import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { validateFile } from '../../core/node/validateFile';
import { formatValidationText } from '../../core/datasets/validationText';
import { checkLeakage } from '../../core/node/leakage';
import { defaultPhiThreads, PhiScanError } from '../../core/node/phiScanPool';

const usage = `Usage: clinical-ft validate FILE [--format auto|sft|dpo|kto] [--json] [--phi-errors] [--no-phi] [--against TRAIN_FILE] [--allow-list F] [--threads N]
  FILE may be "-" to read standard input.
  --allow-list F the PHI false positives to ignore (default: .clinical-ft/phi-allowlist.json found from FILE upwards)
  --phi-errors   report possible PHI as errors (exit 1) instead of warnings
  --no-phi       skip the PHI scan
  --against F    also warn about prompts of FILE that repeat (exactly or nearly) prompts of F (train/eval leakage)
  --threads N    worker threads for the PHI scan besides the main one (default: one per idle core but one, none
                 for files under 32 MB); 0 keeps validation on one core. The result is the same for any N.
Exit status: 0 valid, 1 invalid, 2 usage or IO error.`;

export const validateCommand: CliCommand = {
  summary: 'check a JSONL dataset (SFT or DPO): schema, role order, duplicates, PHI',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, { format: 'string', json: 'boolean', 'phi-errors': 'boolean', 'no-phi': 'boolean', against: 'string', 'allow-list': 'string', threads: 'string' });
      if (positional.length !== 1) throw new UsageError(positional.length ? 'expected exactly one FILE' : 'missing FILE');
      const format = (flags.format ?? 'auto') as string;
      if (format !== 'auto' && format !== 'sft' && format !== 'dpo' && format !== 'kto') throw new UsageError('--format must be auto, sft, dpo or kto');
      const threads = flags.threads === undefined ? undefined : Number(flags.threads);
      if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 64)) throw new UsageError('--threads must be a whole number from 0 to 64');
      const file = positional[0];
      const against = typeof flags.against === 'string' ? flags.against : undefined;
      try {
        // A named pipe is read like a file: `clinical-ft validate <(zcat data.jsonl.gz)`.
        let bytes: number | undefined;
        for (const f of [file, against]) {
          const st = f && f !== '-' ? fs.statSync(f) : undefined;
          if (st && !st.isFile() && !st.isFIFO()) throw new Error(`${f} is not a file`);
          if (f === file && st?.isFile()) bytes = st.size;
        }
        const result = await validateFile(file === '-' ? process.stdin : file, {
          format,
          phi: !flags['no-phi'],
          phiAsErrors: !!flags['phi-errors'],
          allowList: typeof flags['allow-list'] === 'string' ? flags['allow-list'] : undefined,
          // The PHI scan is most of the time: worker threads (the bundle's phiScanWorker.js beside this one) on the other cores.
          phiWorkers: { script: path.join(__dirname, 'phiScanWorker.js'), threads: threads ?? defaultPhiThreads(bytes) },
        });
        if (against) {
          if (file === '-') throw new UsageError('--against needs FILE to be a path, not standard input');
          result.warnings.push(...(await checkLeakage(against, file)));
        }
        process.stdout.write(flags.json ? `${JSON.stringify(ValidateOutput.parse(result))}\n` : formatValidationText(file === '-' ? '<stdin>' : file, result));
        return result.errors.length || result.omittedErrors ? 1 : 0;
      } catch (e) {
        if (e instanceof UsageError) throw e;
        if (e instanceof PhiScanError) {
          process.stderr.write(`clinical-ft validate: ${file === '-' ? '<stdin>' : file}: ${e.message}\n`);
          return 2;
        }
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
        process.stderr.write(`clinical-ft validate: cannot read ${err.path ?? file}: ${why}\n`);
        return 2;
      }
    }),
};
