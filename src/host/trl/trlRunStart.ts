import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunConfig } from '../../core/runConfig';
import { RUN_FILES, type RunRecord } from '../../core/runFolder';
import { localLaunchPlan } from '../../core/trlLaunchPlan';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import type { TrainerChild, TrainerChildren } from '../trainerChildren';
import { trlAvailability } from './pythonStackHost';
import { LAUNCH_LOG, launchTrlJob, writeTrlJob } from './trlJob';

/**
 * Starts (or resumes) a TRL run in `dir`: the job folder is written by `clinical-ft handoff` for this
 * machine's devices, run.json says `queued` until train.py takes it over, then launch.sh runs as the
 * training child. The Runs view, status bar and dashboard follow the folder as for any run.
 */
export async function startTrl(children: TrainerChildren, dir: string, config: RunConfig, resume: boolean): Promise<TrainerChild> {
  const stack = await trlAvailability();
  if (!stack.ok) throw new Error(`The TRL engine is not available: ${stack.reason}.`);
  if (!resume) {
    const plan = localLaunchPlan(stack.report, os.cpus().length, config.batchSize, config.method);
    await writeTrlJob(children, config, dir, plan);
    const record: RunRecord = { id: path.basename(dir), config: { ...config, engine: 'trl' }, status: 'queued', versions: {}, startedAt: new Date().toISOString() };
    writeFileAtomic(path.join(dir, RUN_FILES.runJson), `${JSON.stringify(record, null, 2)}\n`);
  }
  return launchTrlJob(children, dir, stack.python, resume);
}

/** The launcher's last lines, for a run that died before train.py could say why in run.json. */
export function lastLaunchLines(dir: string, n = 8): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.join(dir, LAUNCH_LOG), 'r');
    // The tail only: a long run's launcher log can be large.
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 16_384));
    fs.readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
