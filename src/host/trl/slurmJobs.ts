import * as fs from 'node:fs';
import * as path from 'node:path';
import { slurmCommand } from './slurmCommand';
import { parseSbatchJobId, parseSlurmJobRecord, parseSlurmState, slurmStateEnded, type SlurmJobRecord } from '../../core/slurm';
import { RUN_FILES } from '../../core/runFolder';
import { readRunRecord } from '../../core/node/runFolderReader';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import type { TrainerChildren } from '../trainerChildren';
import type { RunStore } from '../runs/runStore';

export const SLURM_JOB_FILE = 'slurm.json';
const POLL_MS = 15_000;
const COMMAND_TIMEOUT_MS = 30_000;


export function readSlurmJob(dir: string): SlurmJobRecord | undefined {
  try {
    return parseSlurmJobRecord(fs.readFileSync(path.join(dir, SLURM_JOB_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/** `sbatch slurm.sbatch` in the job folder; records the job id in slurm.json. Throws with sbatch's own words. */
export async function submitSlurmJob(children: TrainerChildren, dir: string): Promise<SlurmJobRecord> {
  const sbatch = slurmCommand('sbatch');
  if (!sbatch) throw new Error('sbatch is not on PATH here: copy the job folder to the cluster and run sbatch slurm.sbatch there.');
  const r = await children.runProgram({ label: `sbatch ${path.basename(dir)}`, command: sbatch, args: ['slurm.sbatch'], cwd: dir, timeoutMs: COMMAND_TIMEOUT_MS });
  const jobId = r.code === 0 ? parseSbatchJobId(r.stdout) : undefined;
  if (!jobId) throw new Error(`sbatch did not submit the job${r.timedOut ? ` (no answer within ${COMMAND_TIMEOUT_MS / 1000} s)` : ''}: ${(r.startError ?? r.stderr.trim()) || r.stdout.trim() || `exit ${r.code}`}`);
  const record: SlurmJobRecord = { jobId, submittedAt: new Date().toISOString(), state: 'PENDING' };
  writeFileAtomic(path.join(dir, SLURM_JOB_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** squeue while SLURM still lists the job, then sacct for how it ended; undefined when neither can say. */
export async function querySlurmState(children: TrainerChildren, jobId: string): Promise<{ phase: 'active' | 'ended'; state: string } | undefined> {
  const squeue = slurmCommand('squeue');
  if (squeue) {
    const r = await children.runProgram({ label: `squeue ${jobId}`, command: squeue, args: ['-h', '-j', jobId, '-o', '%T'], timeoutMs: COMMAND_TIMEOUT_MS });
    const s = r.code === 0 ? parseSlurmState(r.stdout) : { phase: 'unknown' as const };
    if (s.phase !== 'unknown') return s;
  }
  const sacct = slurmCommand('sacct');
  if (sacct) {
    const r = await children.runProgram({ label: `sacct ${jobId}`, command: sacct, args: ['-n', '-X', '-P', '-j', jobId, '-o', 'State'], timeoutMs: COMMAND_TIMEOUT_MS });
    const s = r.code === 0 ? parseSlurmState(r.stdout) : { phase: 'unknown' as const };
    if (s.phase !== 'unknown') return s;
  }
  return undefined;
}

/**
 * Follows the runs submitted from here: slurm.json gets the job's state (the Runs view shows it), and a job
 * that ends while run.json still says queued or running (cancelled while pending, a node failure, a time
 * limit) is recorded as failed with SLURM's reason — train.py could not say it.
 */
export class SlurmWatcher {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly children: TrainerChildren,
    private readonly store: Pick<RunStore, 'list' | 'refresh'>,
    /** A job's state changed (the Runs view redraws: run.json alone may not have changed). */
    private readonly onStateChanged: () => void = () => undefined,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), POLL_MS);
  }

  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    let changed = false;
    try {
      // Nothing to ask where neither command exists (a PATH without SLURM): slurm.json stays as it is.
      if (!slurmCommand('squeue') && !slurmCommand('sacct')) return;
      for (const e of this.store.list()) {
        const job = readSlurmJob(e.dir);
        // An ended job changes no more: not asked about again.
        if (!job || (job.state !== undefined && slurmStateEnded(job.state))) continue;
        const s = await querySlurmState(this.children, job.jobId);
        if (!s) continue;
        if (s.state !== job.state) changed = true;
        writeFileAtomic(path.join(e.dir, SLURM_JOB_FILE), `${JSON.stringify({ ...job, state: s.state, checkedAt: new Date().toISOString() }, null, 2)}\n`);
        if (s.phase === 'ended') this.recordEnd(e.dir, job.jobId, s.state);
      }
      await this.store.refresh();
      if (changed) this.onStateChanged();
    } finally {
      this.busy = false;
    }
  }

  private recordEnd(dir: string, jobId: string, state: string): void {
    const read = readRunRecord(dir, { fixUp: false });
    if (!read.ok || (read.record.status !== 'queued' && read.record.status !== 'running')) return;
    const record = { ...read.record, status: 'failed' as const, endedAt: new Date().toISOString(), error: `SLURM job ${jobId} ended ${state} before the run finished (see slurm-${jobId}.out in the run folder)` };
    writeFileAtomic(path.join(dir, RUN_FILES.runJson), `${JSON.stringify(record, null, 2)}\n`);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
