import type { CliCommand } from './index';
import { parseArgs, withUsage } from './args';
import { environmentReport } from '../backend';
import { Backend } from '../../core/runConfig';
import { formatEnvironmentReport } from '../../core/environmentText';

const usage = 'Usage: clinical-ft env [--backend auto|tensorflow|wasm|cpu] [--json]';

export const envCommand: CliCommand = {
  summary: 'report which training backends load on this machine',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags } = parseArgs(args, { json: 'boolean', backend: 'string' });
      const pref = Backend.safeParse(flags.backend ?? 'auto');
      if (!pref.success) {
        process.stderr.write(`clinical-ft: --backend must be one of auto, tensorflow, wasm, cpu\n`);
        return 2;
      }
      const report = await environmentReport(pref.data);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatEnvironmentReport(report));
      return 0;
    }),
};
