// Worker threads that run the PHI scan (the bulk of `clinical-ft validate`'s time) beside the thread that reads
// and checks the file. Jobs are answered in any order; the caller awaits them in line order. A worker that
// cannot start is dropped and its batches are scanned in this thread, so the result is the same either way;
// a worker that fails after starting fails the validation with a message naming the lines, never a hang.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { scanLines, type PhiLineScan } from '../datasets/phiLineScan';
import { PhiScanReply, type PhiScanRequest } from '../protocol/phiScanWorker';

/** The PHI scan failed in a worker thread: the message says where and why (no stack: it is the user's answer). */
export class PhiScanError extends Error {}

/**
 * Worker threads worth starting here: one per idle core but the one this thread runs on (it reads, validates
 * and scans what the workers have no room for). None on a single core, on a machine whose other work leaves
 * no core idle (measured on 2 shared cores at load 11: the threaded scan took 1.3-2x as long as one thread,
 * with 20-30% more CPU), or for a file under MIN_THREADED_BYTES, where starting a worker (~0.2 s of CPU and
 * ~55 MB each) costs more than it saves: measured on 2 idle cores, one thread was faster up to 16 MB (8 MB: 0.55 s
 * against 0.69 s with a worker) and a worker first paid off at 32 MB (1.04 s against 1.11 s).
 */
export function defaultPhiThreads(fileBytes?: number, cores = os.availableParallelism(), load = busyCores()): number {
  if (fileBytes !== undefined && fileBytes < MIN_THREADED_BYTES) return 0;
  return Math.max(0, Math.min(cores - 1, Math.floor(cores - load)));
}
const MIN_THREADED_BYTES = 32 * 1024 * 1024;

/**
 * Cores other processes keep busy now. The load average lags by minutes: right after a build or a previous run
 * it reports cores busy that are idle (measured: at load 1.9 on 2 idle cores one worker would have made the
 * 200 MB bench 1.6x faster). Linux's count of runnable threads (/proc/loadavg, "running/total") is
 * instantaneous; this process's own thread is not competition. Elsewhere, the load average.
 */
export function busyCores(): number {
  try {
    const running = Number(/\s(\d+)\/\d+\s/.exec(fs.readFileSync('/proc/loadavg', 'utf8'))?.[1]);
    if (Number.isFinite(running)) return Math.max(0, running - 1);
  } catch {
    // Not Linux.
  }
  return os.loadavg()[0];
}

interface Job {
  id: number;
  texts: string[];
  where: string;
  resolve: (scan: PhiLineScan) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  jobs: Map<number, Job>;
}

export class PhiScanPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private failure: PhiScanError | undefined;
  private closing = false;

  /** Starts `threads` workers from `script` (the bundled phiScanWorker.js); undefined when none can run. */
  static start(script: string, threads: number): PhiScanPool | undefined {
    if (threads < 1 || !fs.existsSync(script)) return undefined;
    const pool = new PhiScanPool();
    for (let i = 0; i < threads; i++) pool.spawn(script);
    return pool.slots.length ? pool : undefined;
  }

  private constructor() {}

  /** Whether a worker that started (or may still) has fewer than `depth` batches. */
  hasRoom(depth: number): boolean {
    return !this.failure && this.slots.some((s) => !s.dead && s.jobs.size < depth);
  }

  /** Scans `texts` in the least busy worker (in this thread when none is left). `where` names the lines for errors. */
  scan(texts: string[], where: string): Promise<PhiLineScan> {
    if (this.failure) return Promise.reject(this.failure);
    const live = this.slots.filter((s) => !s.dead);
    if (live.length === 0) return Promise.resolve(scanLines(texts));
    const slot = live.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, texts, where, resolve, reject };
      slot.jobs.set(job.id, job);
      slot.worker.postMessage({ type: 'scan', id: job.id, texts } satisfies PhiScanRequest);
    });
  }

  /** Stops every worker; pending jobs are abandoned (their promises never settle). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private spawn(script: string): void {
    let worker: Worker;
    try {
      worker = new Worker(path.resolve(script), { stdout: true, stderr: true });
    } catch {
      return;
    }
    // A worker's own output never reaches the user's terminal (stdout may be --json): failures come as events.
    worker.stdout.resume();
    worker.stderr.resume();
    const slot: Slot = { worker, ready: false, dead: false, jobs: new Map() };
    this.slots.push(slot);
    worker.on('message', (raw: unknown) => this.onMessage(slot, raw));
    worker.on('error', (e: Error) => this.onFailure(slot, e.message));
    worker.on('messageerror', (e: Error) => this.onFailure(slot, `unreadable message (${e.message})`));
    worker.on('exit', (code) => this.onFailure(slot, `exited with code ${code}`));
  }

  private onMessage(slot: Slot, raw: unknown): void {
    const reply = PhiScanReply.safeParse(raw);
    if (!reply.success) return this.onFailure(slot, 'sent an unexpected message');
    const m = reply.data;
    if (m.type === 'ready') {
      slot.ready = true;
      return;
    }
    const job = slot.jobs.get(m.id);
    if (!job) return this.onFailure(slot, `answered a batch it was not given (${m.id})`);
    slot.jobs.delete(m.id);
    if (m.type === 'scanned') job.resolve({ formats: m.formats, found: m.found });
    else job.reject(this.fail(`the PHI scan of ${job.where} failed: ${m.message}`));
  }

  private onFailure(slot: Slot, why: string): void {
    if (slot.dead || this.closing) return;
    slot.dead = true;
    void slot.worker.terminate().catch(() => undefined);
    if (!slot.ready) {
      // It never started (no threads allowed, the bundle cannot load): scan its batches here instead.
      for (const job of slot.jobs.values()) {
        try {
          job.resolve(scanLines(job.texts));
        } catch (e) {
          job.reject(new PhiScanError(`the PHI scan of ${job.where} failed: ${e instanceof Error ? e.message : String(e)}`));
        }
      }
      slot.jobs.clear();
      return;
    }
    const first = slot.jobs.values().next().value as Job | undefined;
    this.fail(`the PHI scan worker thread stopped${first ? ` while scanning ${first.where}` : ''}: ${why}`);
  }

  /** One failure fails every pending and later job: the result would be incomplete. */
  private fail(message: string): PhiScanError {
    const failure = (this.failure ??= new PhiScanError(message));
    for (const slot of this.slots) {
      for (const job of slot.jobs.values()) job.reject(failure);
      slot.jobs.clear();
    }
    return failure;
  }
}
