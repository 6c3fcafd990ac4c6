import * as fs from 'node:fs';
import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { redactFile, redactionSummary } from '../../core/node/redactFile';
import { PHI_CATEGORIES, type PhiCategory } from '../../core/phi/detectors';

const usage = `Usage: clinical-ft redact FILE --out NEW [--mode placeholder|surrogate] [--kinds name,date,…] [--allow-list F] [--manifest M] [--json]
  Writes a redacted copy of a JSONL dataset to NEW (never FILE itself) and an audit manifest (default NEW.redaction.json):
  file hashes, counts per kind and the settings, never the removed text.
  --mode placeholder  typed placeholders: [NAME], [DATE], [PHONE], … (default)
  --mode surrogate    invented values, the same for one value across a patient's records (meta.patient_id), with
                      every date of a patient shifted by one secret offset (intervals kept)
  --kinds             only these kinds: ${PHI_CATEGORIES.join(', ')}
  --allow-list F      false positives to leave (default: .clinical-ft/phi-allowlist.json found from FILE upwards)
  --json              print the manifest instead of the summary
Exit status: 0 written, 2 usage or IO error.`;

export const redactCommand: CliCommand = {
  summary: 'write a copy of a JSONL dataset with PHI replaced (placeholders or surrogates) and an audit manifest',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, { out: 'string', mode: 'string', kinds: 'string', 'allow-list': 'string', manifest: 'string', json: 'boolean' });
      if (positional.length !== 1) throw new UsageError(positional.length ? 'expected exactly one FILE' : 'missing FILE');
      if (typeof flags.out !== 'string') throw new UsageError('missing --out NEW (redaction never writes in place)');
      const mode = (flags.mode ?? 'placeholder') as string;
      if (mode !== 'placeholder' && mode !== 'surrogate') throw new UsageError('--mode must be placeholder or surrogate');
      let kinds: PhiCategory[] | undefined;
      if (typeof flags.kinds === 'string') {
        kinds = flags.kinds.split(',').map((k) => k.trim()).filter(Boolean) as PhiCategory[];
        const bad = kinds.filter((k) => !(PHI_CATEGORIES as readonly string[]).includes(k));
        if (bad.length || kinds.length === 0) throw new UsageError(`--kinds: unknown kind ${bad.join(', ') || '(none given)'}; known: ${PHI_CATEGORIES.join(', ')}`);
      }
      const file = positional[0];
      try {
        if (!fs.statSync(file).isFile()) throw new Error(`${file} is not a file`);
        const manifestPath = typeof flags.manifest === 'string' ? flags.manifest : `${flags.out}.redaction.json`;
        const m = await redactFile(file, flags.out, { mode, kinds, allowList: typeof flags['allow-list'] === 'string' ? flags['allow-list'] : undefined, manifest: manifestPath });
        process.stdout.write(flags.json ? `${JSON.stringify(m)}\n` : `${redactionSummary(m, manifestPath)}\n`);
        return 0;
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? `cannot read ${err.path ?? file}: no such file` : err.code === 'EACCES' ? `${err.path ?? file}: permission denied` : err.message;
        process.stderr.write(`clinical-ft redact: ${why}\n`);
        return 2;
      }
    }),
};
