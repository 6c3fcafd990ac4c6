// Owning a run folder: trainer.lock is created exclusively, names a process that can prove it is the
// trainer that wrote it, and is removed only by its owner (or as a proven-dead leftover).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { RUN_FILES } from '../runFolder';
import { MAX_LOCK_BYTES, parseRunLock, procStatStartTime, type RunLock } from '../runLock';
import { O_NOFOLLOW, syncDirectory, writeNewFile } from './atomicWrite';

/** Windows has neither /proc nor ps: there a live pid is "unprovable", never "proven". */
const HAS_START_STAMPS = process.platform !== 'win32';

/**
 * When the OS started `pid`, as an opaque stamp that differs between two processes that had the same pid.
 * Undefined when no such process exists (or the OS cannot say).
 */
export function processStartStamp(pid: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 1 || !HAS_START_STAMPS) return undefined;
  if (process.platform === 'linux') {
    try {
      return procStatStartTime(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      if (fs.existsSync('/proc/self/stat')) return undefined;
      // /proc not mounted: fall through to ps.
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * proven: the pid is alive and started when the lock says (the trainer that wrote it);
 * gone: no such process, or the pid now belongs to another process (reused), or the lock is not a trainer's;
 * unprovable: a process with that pid exists but the OS gives no start stamp to compare (Windows), or the lock
 *   names another machine (a SLURM job writing to a shared filesystem).
 */
export type LockOwner = 'proven' | 'gone' | 'unprovable';

export function lockOwnerState(lock: RunLock): LockOwner {
  // Another machine's pid says nothing here: neither alive nor gone (SLURM ends such a run, see host/trl/slurmJobs).
  if (lock.host !== undefined && lock.host !== os.hostname()) return 'unprovable';
  if (!HAS_START_STAMPS) return processExists(lock.pid) ? 'unprovable' : 'gone';
  // Every trainer on this OS records its stamp: a lock without one was not written by a trainer.
  if (lock.processStart === undefined) return 'gone';
  const now = processStartStamp(lock.pid);
  return now !== undefined && now === lock.processStart ? 'proven' : 'gone';
}

interface HeldLock {
  /** Undefined when the file is not a valid lock (garbage, a link, a FIFO, too large). */
  lock: RunLock | undefined;
  isDirectory: boolean;
  ino: number;
  dev: number;
}

/** The lock file and the identity of exactly the file whose content was read. */
function readHeld(file: string): HeldLock | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return undefined;
  }
  const unreadable = { lock: undefined, isDirectory: st.isDirectory(), ino: st.ino, dev: st.dev };
  if (!st.isFile() || st.size > MAX_LOCK_BYTES) return unreadable;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return unreadable;
  }
  try {
    const fst = fs.fstatSync(fd);
    if (!fst.isFile() || fst.size > MAX_LOCK_BYTES) return { lock: undefined, isDirectory: fst.isDirectory(), ino: fst.ino, dev: fst.dev };
    const buf = Buffer.alloc(fst.size);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return { lock: parseRunLock(buf.subarray(0, n).toString('utf8')), isDirectory: false, ino: fst.ino, dev: fst.dev };
  } finally {
    fs.closeSync(fd);
  }
}

export function readRunLock(dir: string): RunLock | undefined {
  return readHeld(path.join(dir, RUN_FILES.lock))?.lock;
}

/** True when a trainer process still owns the run folder (or may: see LockOwner "unprovable"). */
export function isRunAlive(dir: string): boolean {
  const lock = readRunLock(dir);
  return lock !== undefined && lockOwnerState(lock) !== 'gone';
}

/** The pid to signal to cancel the run in `dir`, only when that process is proven to be its trainer. */
export function trainerToSignal(dir: string): { ok: true; pid: number } | { ok: false; reason: string } {
  const lock = readRunLock(dir);
  if (!lock) return { ok: false, reason: `${path.join(dir, RUN_FILES.lock)} is missing or not a trainer lock: no trainer to cancel` };
  const state = lockOwnerState(lock);
  if (state === 'proven') return { ok: true, pid: lock.pid };
  if (state === 'unprovable' && lock.host !== undefined && lock.host !== os.hostname()) return { ok: false, reason: `its trainer runs on ${lock.host}, not on this machine: cancel the job there (scancel for SLURM); nothing was signalled` };
  if (state === 'unprovable') return { ok: false, reason: `process ${lock.pid} cannot be proven to be this run's trainer on ${process.platform}: nothing was signalled` };
  return { ok: false, reason: `process ${lock.pid} named by the lock is not this run's trainer (it ended, or the pid now belongs to another process): nothing was signalled` };
}

export class RunLockBusy extends Error {
  constructor(
    readonly dir: string,
    readonly holder: RunLock | undefined,
  ) {
    super(
      holder
        ? `${dir} is in use by another trainer (pid ${holder.pid}, since ${holder.startedAt}); wait for it to finish or cancel it first`
        : `${dir}: another trainer took the run lock at the same moment; try again`,
    );
    this.name = 'RunLockBusy';
  }
}

/**
 * Moves `file` aside and deletes it only when it is still the very file judged (same inode); a lock that
 * another trainer created in between is put back. True when the judged lock is gone.
 */
function removeIfSame(file: string, judged: HeldLock): boolean {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
  const st = fs.lstatSync(aside);
  if (st.ino === judged.ino && st.dev === judged.dev) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  try {
    fs.linkSync(aside, file);
  } catch {
    // Yet another lock appeared meanwhile: it wins, the one moved aside was already superseded.
  }
  fs.rmSync(aside, { force: true });
  return false;
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Takes the run folder for this process: the lock is written complete under a private name and then
 * hard-linked to trainer.lock, which fails if any entry (file, link, folder) has that name — exclusive and
 * never half-written. A lock whose owner is gone is replaced; a live owner's refuses with RunLockBusy.
 */
export function acquireRunLock(dir: string): RunLock {
  const stamp = processStartStamp(process.pid);
  const lock: RunLock = { pid: process.pid, token: randomBytes(16).toString('hex'), ...(stamp ? { processStart: stamp } : {}), startedAt: new Date().toISOString() };
  const file = path.join(dir, RUN_FILES.lock);
  const text = `${JSON.stringify(lock)}\n`;
  const tmp = path.join(dir, `.${RUN_FILES.lock}.${lock.token}`);
  writeNewFile(tmp, text);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(tmp, file);
        syncDirectory(dir);
        return lock;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (NO_HARD_LINKS.has(code)) {
          // A filesystem without hard links: O_EXCL creation is still exclusive, only not atomic in content.
          try {
            writeNewFile(file, text);
            syncDirectory(dir);
            return lock;
          } catch (e2) {
            if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
          }
        } else if (code !== 'EEXIST') throw e;
      }
      const held = readHeld(file);
      if (!held) continue;
      if (held.lock && lockOwnerState(held.lock) !== 'gone') throw new RunLockBusy(dir, held.lock);
      if (held.isDirectory) throw new Error(`${file} is a folder, not a lock file: remove it to use this run folder`);
      removeIfSame(file, held);
    }
    throw new RunLockBusy(dir, readRunLock(dir));
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Removes trainer.lock only while it still holds `token` (its owner's, or one judged dead). */
export function removeRunLock(dir: string, token: string): boolean {
  const file = path.join(dir, RUN_FILES.lock);
  const held = readHeld(file);
  if (!held?.lock || held.lock.token !== token) return false;
  const removed = removeIfSame(file, held);
  if (removed) syncDirectory(dir);
  return removed;
}
