// SLURM, read through its own commands: sbatch's answer, squeue's and sacct's job states. The output comes
// from external programs: parsed strictly, anything else is "unknown", never a guess.

/** `sbatch` prints "Submitted batch job 123" (or "123" with --parsable, possibly "123;cluster"). */
export function parseSbatchJobId(stdout: string): string | undefined {
  const m = /Submitted batch job (\d+)/.exec(stdout) ?? /^(\d+)(?:;\S+)?\s*$/m.exec(stdout.trim());
  return m?.[1];
}

/** Job states that end a job (sacct / squeue names; "CANCELLED by 123" counts as CANCELLED). */
export const ENDED = ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'REVOKED'] as const;
const ACTIVE = ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'STAGE_OUT', 'SIGNALING', 'STOPPED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SPECIAL_EXIT', 'RESV_DEL_HOLD'] as const;

export const slurmStateEnded = (state: string): boolean => (ENDED as readonly string[]).includes(state);

export type SlurmState = { phase: 'active' | 'ended'; state: string } | { phase: 'unknown' };

/** The first state word of `squeue -h -j ID -o %T` or `sacct -n -X -P -j ID -o State` output. */
export function parseSlurmState(stdout: string): SlurmState {
  const first = stdout.trim().split('\n')[0]?.trim().split(/\s+/)[0]?.replace(/\+$/, '').toUpperCase();
  if (!first) return { phase: 'unknown' };
  if ((ENDED as readonly string[]).includes(first)) return { phase: 'ended', state: first };
  if ((ACTIVE as readonly string[]).includes(first)) return { phase: 'active', state: first };
  return { phase: 'unknown' };
}

/** slurm.json in a run folder submitted from here: which job to ask squeue/sacct about. */
export interface SlurmJobRecord {
  jobId: string;
  submittedAt: string;
  state?: string;
  checkedAt?: string;
}

export function parseSlurmJobRecord(text: string): SlurmJobRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<SlurmJobRecord>;
    return typeof r.jobId === 'string' && /^\d+$/.test(r.jobId) && typeof r.submittedAt === 'string' ? { jobId: r.jobId, submittedAt: r.submittedAt, ...(typeof r.state === 'string' ? { state: r.state } : {}), ...(typeof r.checkedAt === 'string' ? { checkedAt: r.checkedAt } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `name` is an executable file in one of PATH's folders (the SLURM commands are offered only then). */
export function onPath(name: string, pathVar: string | undefined, isExecutable: (file: string) => boolean, sep = ':'): string | undefined {
  for (const dir of (pathVar ?? '').split(sep)) {
    if (!dir) continue;
    const file = `${dir.replace(/\/+$/, '')}/${name}`;
    if (isExecutable(file)) return file;
  }
  return undefined;
}
