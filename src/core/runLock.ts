import { z } from 'zod';

/**
 * trainer.lock: written exclusively by the trainer that owns a run folder. The pid alone proves nothing
 * (a workspace can ship any lock, and pids are reused), so the lock also records the owner's process
 * start stamp — the live process must show the same stamp — and a random token, so a trainer removes only
 * the lock it wrote. pid 0, 1 and negatives are never valid: signalling them reaches every process.
 */
export const RunLock = z.object({
  pid: z.number().int().min(2).max(2 ** 31 - 1),
  token: z.string().regex(/^[0-9a-f]{32}$/),
  /** The OS's start stamp of `pid` (Linux: /proc/PID/stat starttime); absent where the OS has none. */
  processStart: z.string().min(1).max(64).optional(),
  startedAt: z.string().max(64),
  /** The machine the owner runs on, when that may not be this one (a TRL job under SLURM on a shared filesystem). */
  host: z.string().min(1).max(255).optional(),
});
export type RunLock = z.infer<typeof RunLock>;

/** Real locks are ~150 bytes; anything much larger is not ours. */
export const MAX_LOCK_BYTES = 4096;

export function parseRunLock(text: string): RunLock | undefined {
  if (text.length > MAX_LOCK_BYTES) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = RunLock.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Field 22 (starttime, clock ticks since boot) of a /proc/PID/stat line. The command name (field 2) is in
 * parentheses and may itself contain spaces and ')', so fields are counted from the last ')'.
 */
export function procStatStartTime(statLine: string): string | undefined {
  const close = statLine.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = statLine.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}
