import * as cp from 'node:child_process';
import * as fs from 'node:fs';

/**
 * How long a child may live. `window`: evaluation, validation, token counting, generation, the environment
 * probe — work for this window only, killed when the window goes. `run`: a training run, which must survive a
 * window reload (the next window reattaches through the run folder), so the window only lets go of it.
 */
export type ChildLifetime = 'window' | 'run';

export interface ChildStart {
  /** What it is, for the output channel ("eval", "validate", "train"). */
  label: string;
  /** Arguments of dist/trainer.js: a CLI command (`validate FILE --json`) or `--child` for the IPC protocol. */
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep stdin open (the caller writes to it); otherwise it is closed at once. */
  stdin?: boolean;
  lifetime?: ChildLifetime;
}

export interface ChildRun extends Omit<ChildStart, 'stdin'> {
  /** Written to the child's stdin, then stdin is closed. */
  input?: string;
  /** The child is killed and the result says `timedOut` — a report, never a hang. */
  timeoutMs?: number;
  /** stdout beyond this is dropped and the result says `truncated` (the host's memory is not the child's to grow). */
  maxStdoutBytes?: number;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last 4000 characters of stderr. */
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
  /** The process could not be started at all (bad clinicalFt.nodePath). */
  startError?: string;
}

const STDERR_TAIL = 4000;
const DEFAULT_MAX_STDOUT = 64 * 1024 * 1024;

/** One trainer child and its own cleanup scope: listeners and timers end with the process. */
export class TrainerChild {
  readonly process: cp.ChildProcess;
  /** Resolves once the process has exited (or could not start). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; startError?: string }>;
  private stderrTail = '';
  private startError: string | undefined;
  private done = false;
  private cancelledFlag = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly label: string,
    readonly lifetime: ChildLifetime,
    child: cp.ChildProcess,
    /** The child leads its own process group (an external launcher): signals reach the whole group. */
    readonly group = false,
  ) {
    this.process = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.exited = new Promise((resolve) => {
      child.on('error', (e) => {
        this.startError = e.message;
        this.stderrTail += `\n${e.message}`;
        // A process that never started emits no 'exit'.
        if (child.pid === undefined) this.finish(resolve, null, null);
      });
      child.on('exit', (code, signal) => this.finish(resolve, code, signal));
    });
  }

  private finish(resolve: (v: { code: number | null; signal: NodeJS.Signals | null; startError?: string }) => void, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.done) return;
    this.done = true;
    this.cleanups.splice(0).forEach((c) => c());
    resolve({ code, signal, ...(this.startError ? { startError: this.startError } : {}) });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return !this.done;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** True once cancel() or kill() asked it to stop. */
  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** Runs `fn` when the process exits (per-child cleanup scope). */
  onCleanup(fn: () => void): void {
    if (this.done) fn();
    else this.cleanups.push(fn);
  }

  /** Asks it to stop (a trainer checkpoints on SIGTERM). */
  cancel(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.cancelledFlag = true;
    if (this.done) return;
    const pid = this.process.pid;
    if (this.group && pid !== undefined && pid > 1) {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group is already gone; 'exit' follows.
      }
    } else {
      this.process.kill(signal);
    }
  }

  /** Stops it now: nothing of a window-only child is worth waiting for. */
  kill(): void {
    this.cancel('SIGKILL');
  }
}

/**
 * The one owner of every dist/trainer.js process the host starts (rust-analyzer's ctx.ts owns its server the
 * same way): spawn, stdio/IPC, cancel, the output channel's start/exit lines, and two cleanup scopes — each
 * child's own (listeners end with it) and the window's (dispose() on deactivate kills every window child and
 * lets go of training runs). No other module of src/host forks the trainer.
 */
export class TrainerChildren {
  private readonly children = new Set<TrainerChild>();
  private disposed = false;

  constructor(
    private readonly opts: {
      /** dist/trainer.js */
      script: string;
      /** clinicalFt.nodePath, read at each start; the extension host's Node when undefined. */
      nodePath: () => string | undefined;
      /** The output channel. */
      log?: (line: string) => void;
    },
  ) {}

  /** Children still running. */
  get live(): readonly TrainerChild[] {
    return [...this.children];
  }

  start(start: ChildStart): TrainerChild {
    if (this.disposed) throw new Error('The window is closing: no new trainer process is started.');
    const execPath = this.opts.nodePath();
    const lifetime = start.lifetime ?? 'window';
    const proc = cp.fork(this.opts.script, start.args, {
      cwd: start.cwd,
      ...(execPath ? { execPath } : {}),
      env: { ...process.env, ...start.env },
      stdio: [start.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const child = new TrainerChild(start.label, lifetime, proc);
    this.track(child, start.label, proc);
    return child;
  }

  /**
   * An external training launcher (the TRL job's `bash launch.sh`): its own process group, so Cancel reaches
   * every worker it starts; output goes to `logFile` (a pipe would break when the window reloads and the run
   * must go on). Always a training run's lifetime: the window only lets go of it.
   */
  startLauncher(start: { label: string; command: string; args: string[]; cwd: string; env?: NodeJS.ProcessEnv; logFile: string }): TrainerChild {
    if (this.disposed) throw new Error('The window is closing: no new trainer process is started.');
    const fd = fs.openSync(start.logFile, 'a');
    let proc: cp.ChildProcess;
    try {
      proc = cp.spawn(start.command, start.args, { cwd: start.cwd, env: { ...process.env, ...start.env }, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    const child = new TrainerChild(start.label, 'run', proc, true);
    this.track(child, start.label, proc);
    return child;
  }

  private track(child: TrainerChild, label: string, proc: cp.ChildProcess): void {
    this.children.add(child);
    this.opts.log?.(`[trainer] ${label} started${proc.pid ? ` (pid ${proc.pid})` : ''}`);
    void child.exited.then(({ code, signal, startError }) => {
      this.children.delete(child);
      this.opts.log?.(`[trainer] ${label}${proc.pid ? ` (pid ${proc.pid})` : ''} ${startError ? `could not start: ${startError}` : `exited (${signal ?? `code ${code}`})`}`);
    });
  }

  /** Runs a CLI command to its end and collects its output (bounded). `child` is there to cancel it. */
  run(run: ChildRun): { child: TrainerChild; result: Promise<ChildResult> } {
    const child = this.start({ ...run, stdin: run.input !== undefined });
    return { child, result: this.collect(child, run) };
  }

  /**
   * Runs an external program (sbatch, squeue, sacct) to its end, bounded like run(): no shell, the program
   * found on PATH, killed at the timeout. A window child: nothing of it outlives the window.
   */
  runProgram(p: { label: string; command: string; args: string[]; cwd?: string; timeoutMs: number }): Promise<ChildResult> {
    if (this.disposed) throw new Error('The window is closing: no new process is started.');
    const proc = cp.spawn(p.command, p.args, { cwd: p.cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = new TrainerChild(p.label, 'window', proc);
    this.track(child, p.label, proc);
    return this.collect(child, { timeoutMs: p.timeoutMs });
  }

  private collect(child: TrainerChild, run: Pick<ChildRun, 'input' | 'timeoutMs' | 'maxStdoutBytes'>): Promise<ChildResult> {
    const max = run.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
    const out: Buffer[] = [];
    let outBytes = 0;
    let truncated = false;
    let timedOut = false;
    child.process.stdout?.on('data', (d: Buffer) => {
      if (outBytes + d.length > max) {
        truncated = true;
        return;
      }
      out.push(d);
      outBytes += d.length;
    });
    // An EPIPE from a child that exited before reading its input is reported through its exit, not thrown.
    child.process.stdin?.on('error', () => undefined);
    if (run.input !== undefined) child.process.stdin?.end(run.input, 'utf8');
    if (run.timeoutMs !== undefined) {
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill();
      }, run.timeoutMs);
      child.onCleanup(() => clearTimeout(timer));
    }
    return child.exited.then(({ code, signal, startError }) => ({
      code,
      signal,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: child.stderr,
      timedOut,
      cancelled: child.cancelled && !timedOut,
      truncated,
      ...(startError ? { startError } : {}),
    }));
  }

  /**
   * The window is going: window children are killed (SIGKILL — an evaluation or a validation has nothing
   * to save), training runs are only let go of (IPC disconnected) and go on; the next window reattaches.
   */
  dispose(): void {
    this.disposed = true;
    for (const child of this.children) {
      if (child.lifetime === 'window') child.kill();
      else if (child.process.connected) child.process.disconnect();
      else if (child.group) child.process.unref();
    }
  }
}
