import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { configFromFlags } from '../train/configFromFlags';
import { ACCELERATE_MODES, HandoffError, type AccelerateMode } from '../handoff/trlArgs';
import { writeHandoffJob } from '../handoff/writeJob';

const usage = `Usage: clinical-ft handoff --config RUN.json --out DIR [--accelerate cpu|single-gpu|multi-gpu|deepspeed-zero3|fsdp]
  [--num-processes N] [--slurm]
Writes a TRL + PEFT + Accelerate job folder for the run config (its "engine" becomes "trl"): train.py,
trl_config.yaml, accelerate.yaml, requirements.txt (pinned), launch.sh, [slurm.sbatch], README.md, and a
copy of the datasets (they may hold PHI; preference data as the rows the built-in engine trains on: labels
applied, pairs unpaired for KTO). Methods: sft, dpo, kto (KTOTrainer), orpo (ORPOTrainer), simpo (CPOTrainer,
loss_type "simpo"). "bash DIR/launch.sh" trains; DIR becomes the run folder.
Defaults: --accelerate cpu, --num-processes 1.
Exit: 0 written, 2 bad flags or a config field the TRL engine cannot honour (named).`;

const FLAGS = { config: 'string', out: 'string', accelerate: 'string', 'num-processes': 'string', slurm: 'boolean' } as const;

export const handoffCommand: CliCommand = {
  summary: 'write a TRL + PEFT + Accelerate job folder (GPU, multi-GPU, SLURM) for a run config',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, FLAGS);
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      if (typeof flags.config !== 'string') throw new UsageError('--config RUN.json is required');
      if (typeof flags.out !== 'string') throw new UsageError('--out DIR is required');
      const mode = (typeof flags.accelerate === 'string' ? flags.accelerate : 'cpu') as AccelerateMode;
      if (!ACCELERATE_MODES.includes(mode)) throw new UsageError(`--accelerate must be one of ${ACCELERATE_MODES.join(', ')} (got "${mode}")`);
      const n = typeof flags['num-processes'] === 'string' ? Number(flags['num-processes']) : 1;
      const config = configFromFlags({ config: flags.config });
      try {
        const { files, notes } = await writeHandoffJob(config, flags.out, { mode, numProcesses: n, slurm: flags.slurm === true });
        process.stdout.write(`${notes.map((n) => `${n}\n`).join('')}wrote ${flags.out}: ${files.join(', ')}\nstart it with: bash ${flags.out}/launch.sh\n`);
        return 0;
      } catch (e) {
        if (e instanceof HandoffError) {
          process.stderr.write(`clinical-ft handoff: ${e.message}\n`);
          return 2;
        }
        throw e;
      }
    }),
};
