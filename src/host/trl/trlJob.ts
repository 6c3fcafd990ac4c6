import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunConfig } from '../../core/runConfig';
import type { TrlLaunchPlan } from '../../core/trlLaunchPlan';
import type { TrainerChild, TrainerChildren } from '../trainerChildren';

/** The launcher's own output (torchrun, Python tracebacks): trainer.log holds what train.py says. */
export const LAUNCH_LOG = 'launch.log';

/**
 * Writes the TRL job folder into `dir` with `clinical-ft handoff` (the trainer owns the job's files; the host
 * only asks). `dir` must be empty or absent. Throws with the handoff's own message (it names the field).
 */
export async function writeTrlJob(children: TrainerChildren, config: RunConfig, dir: string, plan: TrlLaunchPlan, opts: { slurm?: boolean } = {}): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clinical-ft-handoff-'));
  try {
    const file = path.join(tmp, 'run.json');
    fs.writeFileSync(file, JSON.stringify({ ...config, engine: 'trl' }));
    const args = ['handoff', '--config', file, '--out', dir, '--accelerate', plan.mode, '--num-processes', String(plan.numProcesses), ...(opts.slurm ? ['--slurm'] : [])];
    const { result } = children.run({ label: `handoff ${path.basename(dir)}`, args, timeoutMs: 120_000 });
    const r = await result;
    if (r.code !== 0) {
      const why = r.startError ?? (r.stderr.trim().replace(/^clinical-ft handoff: /gm, '') || `exit ${r.signal ?? r.code}`);
      throw new Error(`The TRL job could not be written: ${why}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** `bash launch.sh [--resume]` in the job folder, as its own process group, with the TRL engine's interpreter. */
export function launchTrlJob(children: TrainerChildren, dir: string, python: string, resume: boolean): TrainerChild {
  if (!fs.existsSync(path.join(dir, 'launch.sh'))) throw new Error(`${dir} has no launch.sh: it is not a TRL job folder this machine can run.`);
  return children.startLauncher({
    label: `train (TRL) ${path.basename(dir)}`,
    command: 'bash',
    args: ['launch.sh', ...(resume ? ['--resume'] : [])],
    cwd: dir,
    env: { CLINICAL_FT_PYTHON: python, PYTHONNOUSERSITE: '1' },
    logFile: path.join(dir, LAUNCH_LOG),
  });
}
