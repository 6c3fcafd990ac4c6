import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RunConfig } from '../../core/runConfig';
import { RUN_FILES, type RunRecord } from '../../core/runFolder';
import { readRunRecord } from '../../core/node/runFolderReader';
import { trainerToSignal } from '../../core/node/runLock';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { newRunId } from '../../core/runs/runDefaults';
import { TrainerProcess } from '../trainerProcess';
import { configuredNodePath, phiAsErrors } from '../settings';
import type { TrainerChild, TrainerChildren } from '../trainerChildren';
import { lastLaunchLines, startTrl } from '../trl/trlRunStart';
import type { RunStore } from './runStore';
import { assertTrusted } from '../workspaceTrust';

/** A trainer this window started and still talks to: our own child (IPC), or a TRL launch group. */
type LiveRun = { kind: 'builtin'; requestId: string; trainer: TrainerProcess } | { kind: 'trl'; launch: TrainerChild };

const READY_TIMEOUT_MS = 30_000;
const TRL_WIND_DOWN_MS = 60_000;

/**
 * Starts, cancels and resumes training runs. Each run gets its own trainer child (dist/trainer.js) sent one
 * `train` request; the UI follows the run folder, so this class only handles what the folder cannot say
 * (a trainer that fails before writing anything).
 */
export class RunManager implements vscode.Disposable {
  private readonly live = new Map<string, LiveRun>();
  private readonly refusalEmitter = new vscode.EventEmitter<{ id: string; error: string }>();
  /** The trainer refused a request without recording it in the run folder. */
  readonly onDidRefuse = this.refusalEmitter.event;

  constructor(
    private readonly children: TrainerChildren,
    private readonly store: RunStore,
  ) {}

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /**
   * Creates the run folder and starts the trainer in it. The trainer writes run.json itself (it refuses a
   * folder that already holds one), so the run shows up as soon as the trainer owns the folder.
   */
  async start(config: RunConfig, onCreated?: (id: string) => void): Promise<string> {
    assertTrusted('Starting a training run');
    const root = this.store.root();
    if (!root) throw new Error('Open a workspace folder first: runs are saved under it (setting clinicalFt.runsFolder).');
    fs.mkdirSync(root, { recursive: true });
    const id = newRunId(config.method, new Date(), (x) => fs.existsSync(path.join(root, x)));
    const dir = path.join(root, id);
    fs.mkdirSync(dir, { recursive: true });
    onCreated?.(id);
    if (config.engine === 'trl') {
      await this.startTrlRun(id, dir, config, false).catch((e: unknown) => {
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      });
      await this.store.refresh(true);
      return id;
    }
    const started = new Promise<void>((resolve) => this.startTrainer(id, dir, config, false, resolve));
    await started;
    await this.store.refresh(true);
    return id;
  }

  /** Continues a cancelled or failed run from its last checkpoint, in the same folder. */
  async resume(id: string): Promise<void> {
    assertTrusted('Resuming a training run');
    const entry = this.store.get(id);
    if (!entry) throw new Error(`Run ${id} is not in the runs folder any more.`);
    await this.trlLaunchWoundDown(id, entry.dir);
    if (this.live.has(id)) throw new Error(`Run ${id} is already running.`);
    const read = readRunRecord(entry.dir);
    if (!read.ok) throw new Error(`Cannot resume ${id}: ${read.error}`);
    if (read.record.status === 'running') throw new Error(`Run ${id} is still running (pid ${read.record.pid ?? '?'}).`);
    if (read.record.status === 'completed') throw new Error(`Run ${id} already completed.`);
    // The user's PHI gate applies to a resume as well, even if the run started without it.
    const config = { ...read.record.config, phiAsErrors: read.record.config.phiAsErrors === true || phiAsErrors(vscode.Uri.file(read.record.config.data)) };
    if (config.engine === 'trl') {
      await this.startTrlRun(id, entry.dir, config, true);
      await this.store.refresh();
      return;
    }
    await new Promise<void>((resolve) => this.startTrainer(id, entry.dir, config, true, resolve));
    await this.store.refresh();
  }

  /**
   * Asks the trainer to stop at the next step (it checkpoints and marks the run cancelled). A run started
   * before a window reload is reached through the pid in its lock file (SIGTERM means the same to it), but
   * only when that process proves to be the trainer that wrote the lock: a lock is workspace content.
   */
  async cancel(id: string): Promise<void> {
    const live = this.live.get(id);
    if (live?.kind === 'trl') {
      // The whole launch group: torchrun and every rank stop after the same step with a checkpoint.
      live.launch.cancel('SIGTERM');
      return;
    }
    if (live) {
      live.trainer.send({ type: 'cancel', id: live.requestId });
      return;
    }
    const entry = this.store.get(id);
    if (!entry) throw new Error(`Run ${id} has no live trainer to cancel.`);
    const target = trainerToSignal(entry.dir);
    if (!target.ok) throw new Error(`Run ${id} has no live trainer to cancel: ${target.reason}.`);
    // The pid comes from a file in the workspace: an untrusted workspace must not choose what gets signalled.
    assertTrusted(`Cancelling run ${id}, which this window did not start,`, 'Cancel would signal the process named in its trainer.lock, a file the workspace controls');
    process.kill(target.pid, 'SIGTERM');
    await this.store.refresh();
  }

  /** `onOwned` fires once the trainer has written run.json (event `started`) or has given up. */
  private startTrainer(id: string, dir: string, config: RunConfig, resume: boolean, onOwned: () => void): void {
    const trainer = new TrainerProcess(this.children, { label: `train ${id}`, cwd: path.dirname(dir), lifetime: 'run' });
    const requestId = randomUUID();
    const run: LiveRun = { kind: 'builtin', requestId, trainer };
    this.live.set(id, run);
    this.store.setOwnedLive(id, true);
    let failure: string | undefined;
    let ready = false;
    // A trainer that never says ready (bad clinicalFt.nodePath, a crash at load) is given up on.
    const watchdog = setTimeout(() => {
      if (ready) return;
      failure = `The trainer process did not start within ${READY_TIMEOUT_MS / 1000} s (Node: ${configuredNodePath() ?? 'the extension host runtime'}).${trainer.stderr.trim() ? `\n${trainer.stderr.trim()}` : ''}`;
      this.live.delete(id);
      this.store.setOwnedLive(id, false);
      this.recordEarlyFailure(dir, config, failure, null, null, '');
      trainer.dispose();
      onOwned();
      void this.store.refresh(true);
    }, READY_TIMEOUT_MS);
    trainer.onEvent((e) => {
      if (e.type === 'ready') {
        ready = true;
        clearTimeout(watchdog);
      }
      if (e.type === 'failed' && (e.id === requestId || e.id === undefined)) failure = e.detail ? `${e.error}\n${e.detail}` : e.error;
      if ((e.type === 'started' || e.type === 'failed' || e.type === 'completed') && ('id' in e ? e.id === requestId : true)) onOwned();
      if ((e.type === 'completed' && e.id === requestId) || (e.type === 'failed' && e.id === requestId)) {
        // The run is over; let the child exit on its own terms.
        trainer.send({ type: 'shutdown', id: randomUUID() });
      }
      if (e.type === 'ready') trainer.send({ type: 'train', id: requestId, config, outDir: dir, resume });
    });
    trainer.onExit(({ code, signal }) => {
      clearTimeout(watchdog);
      this.live.delete(id);
      this.store.setOwnedLive(id, false);
      this.recordEarlyFailure(dir, config, failure, code, signal, trainer.stderr);
      onOwned();
      trainer.dispose();
      void this.store.refresh();
    });
  }

  /**
   * A TRL run says `cancelled` in run.json while torchrun is still taking its workers down: a Resume asked for
   * then waits for the launch group to end (bounded) instead of refusing a run that has already stopped.
   */
  private async trlLaunchWoundDown(id: string, dir: string): Promise<void> {
    const live = this.live.get(id);
    if (live?.kind !== 'trl') return;
    const read = readRunRecord(dir);
    if (!read.ok || read.record.status === 'running' || read.record.status === 'queued') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([live.launch.exited, new Promise((r) => (timer = setTimeout(r, TRL_WIND_DOWN_MS)))]);
    clearTimeout(timer);
  }

  /** A TRL job: the job folder is written (a start) or reused (a resume), then launch.sh runs as a group. */
  private async startTrlRun(id: string, dir: string, config: RunConfig, resume: boolean): Promise<void> {
    const launch = await startTrl(this.children, dir, config, resume);
    this.live.set(id, { kind: 'trl', launch });
    this.store.setOwnedLive(id, true);
    launch.onCleanup(() => {
      this.live.delete(id);
      this.store.setOwnedLive(id, false);
      const code = launch.process.exitCode;
      const signal = launch.process.signalCode;
      this.recordEarlyFailure(dir, config, undefined, code, signal, lastLaunchLines(dir));
      void this.store.refresh();
    });
  }

  /**
   * The trainer died before finishing and without saying so in run.json (bad config, missing model, crash
   * before it owned the folder): record the reason so the tree can show it.
   */
  private recordEarlyFailure(dir: string, config: RunConfig, failure: string | undefined, code: number | null, signal: string | null, stderr: string): void {
    const file = path.join(dir, RUN_FILES.runJson);
    const read = fs.existsSync(file) ? readRunRecord(dir) : undefined;
    if (read && (!read.ok || (read.record.status !== 'queued' && read.record.status !== 'running' && !read.fixedUp))) {
      // e.g. a resume refused before the trainer touched run.json (still "cancelled"): say it anyway.
      if (failure && read.ok && read.record.status !== 'failed') this.refusalEmitter.fire({ id: path.basename(dir), error: failure });
      return;
    }
    const tail = stderr.trim() ? `\n${stderr.trim().split('\n').slice(-5).join('\n')}` : '';
    const error = failure ?? `The trainer process exited (${signal ?? `code ${code}`}) before finishing.${tail}`;
    const base: RunRecord = read?.ok ? read.record : { id: path.basename(dir), config, status: 'failed', versions: {} };
    const record: RunRecord = { ...base, status: 'failed', endedAt: new Date().toISOString(), error: read?.ok && read.fixedUp && !failure ? base.error : error };
    try {
      writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
    } catch {
      // The folder vanished (deleted while starting): nothing left to annotate.
    }
  }

  dispose(): void {
    // A window reload must not kill training: the trainer keeps going and the next window reattaches.
    this.live.clear();
    this.refusalEmitter.dispose();
  }
}
