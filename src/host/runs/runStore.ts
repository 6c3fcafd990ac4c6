import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricsRecord } from '../../core/metrics';
import { RUN_FILES, type RunRecord } from '../../core/runFolder';
import { isRunAlive, readRunRecord } from '../../core/node/runFolderReader';
import { RunMetrics } from '../../core/runs/runMetrics';
import { compareRunsNewestFirst, runView, type RunView } from '../../core/runs/runState';
import { fileTailSource } from './fileTailSource';

/** One run folder as the UI knows it: its run.json, a running summary of metrics.jsonl and a bounded window of its records. */
export interface RunEntry {
  id: string;
  dir: string;
  record: RunRecord | undefined;
  /** Why run.json could not be read (shown instead of the run). */
  readError: string | undefined;
  /** The summary of every record and a bounded window of them (metrics.jsonl itself is read again for a CSV export). */
  metrics: RunMetrics;
  alive: boolean;
  view: RunView | undefined;
}

export interface RunChange {
  id: string;
  /** Records kept since the last change; `reset` means drop everything seen before. */
  appended: MetricsRecord[];
  reset: boolean;
  /** Kept records were thinned out (a long run): a view built from deltas must take a fresh snapshot. */
  thinned?: boolean;
  statusChanged: boolean;
}

const LIVE_POLL_MS = 500;
const IDLE_POLL_MS = 5000;

/**
 * The run folders of the workspace, re-read from disk: the folder is the source of truth, so a run
 * started in another window, by the CLI, or before a window reload looks the same as one started here.
 */
export class RunStore implements vscode.Disposable {
  private readonly entries = new Map<string, RunEntry>();
  private readonly changeEmitter = new vscode.EventEmitter<RunChange[]>();
  readonly onDidChange = this.changeEmitter.event;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private lastFullScan = 0;
  private scannedRoot: string | undefined;
  private disposed = false;
  /** Runs this window drives: alive even before the trainer writes its lock. */
  private readonly ownedLive = new Set<string>();

  constructor(readonly root: () => string | undefined) {}

  list(): RunEntry[] {
    return [...this.entries.values()].sort((a, b) => compareRunsNewestFirst({ id: a.id, startedAt: a.record?.startedAt }, { id: b.id, startedAt: b.record?.startedAt }));
  }

  get(id: string): RunEntry | undefined {
    return this.entries.get(id);
  }

  setOwnedLive(id: string, live: boolean): void {
    if (live) this.ownedLive.add(id);
    else this.ownedLive.delete(id);
  }

  /** Starts polling: fast while a run is live, slowly otherwise (to notice new or deleted folders). */
  start(): void {
    const tick = async () => {
      if (this.disposed) return;
      await this.refresh();
      const anyLive = [...this.entries.values()].some((e) => e.alive || e.view?.status === 'running' || e.view?.status === 'queued');
      this.timer = setTimeout(tick, anyLive ? LIVE_POLL_MS : IDLE_POLL_MS);
    };
    void tick();
  }

  /** Re-reads now (after starting, cancelling or deleting a run). */
  async refresh(full = false): Promise<void> {
    // One read at a time; a request made during a read waits for it, then reads afresh.
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    this.inFlight = this.readAll(full).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async readAll(full: boolean): Promise<void> {
    const changes: RunChange[] = [];
    const now = Date.now();
    const scan = full || now - this.lastFullScan > IDLE_POLL_MS - 100 || this.entries.size === 0;
    if (this.root() !== this.scannedRoot) {
      // The runs folder setting changed: every entry belongs to the old folder.
      for (const id of this.entries.keys()) changes.push({ id, appended: [], reset: true, statusChanged: true });
      this.entries.clear();
      this.scannedRoot = this.root();
    }
    if (scan) {
      this.lastFullScan = now;
      const ids = this.scanIds();
      for (const id of [...this.entries.keys()]) {
        if (!ids.has(id)) {
          this.entries.delete(id);
          changes.push({ id, appended: [], reset: true, statusChanged: true });
        }
      }
      for (const id of ids) if (!this.entries.has(id)) this.entries.set(id, this.newEntry(id));
    }
    for (const e of this.entries.values()) {
      const terminal = e.record && !e.alive && (e.record.status === 'completed' || e.record.status === 'failed' || e.record.status === 'cancelled');
      if (terminal && !scan && e.view) continue;
      const c = await this.update(e, now);
      if (c) changes.push(c);
    }
    if (changes.length) this.changeEmitter.fire(changes);
  }

  private scanIds(): Set<string> {
    const root = this.root();
    const ids = new Set<string>();
    if (!root) return ids;
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(root, { withFileTypes: true });
    } catch {
      return ids;
    }
    for (const d of dirents) if (d.isDirectory() && fs.existsSync(path.join(root, d.name, RUN_FILES.runJson))) ids.add(d.name);
    return ids;
  }

  private newEntry(id: string): RunEntry {
    const dir = path.join(this.root()!, id);
    return { id, dir, record: undefined, readError: undefined, metrics: new RunMetrics(fileTailSource(path.join(dir, RUN_FILES.metrics))), alive: false, view: undefined };
  }

  private async update(e: RunEntry, now: number): Promise<RunChange | undefined> {
    const before = e.view ? `${e.view.status}|${e.view.step}|${e.view.totalSteps}|${e.record?.error}` : '';
    // Reading fixes up a run whose trainer died without saying so (DESIGN: every reader agrees on it).
    const read = readRunRecord(e.dir);
    if (read.ok) {
      e.record = read.record;
      e.readError = undefined;
    } else if (!e.record) {
      e.readError = read.error;
    }
    e.alive = this.ownedLive.has(e.id) || isRunAlive(e.dir);
    // The first read of a folder is backlog: its records were not observed as they were written.
    const got = await e.metrics.read({ observedAt: e.view ? now : undefined, final: !!e.record && !e.alive && e.record.status !== 'running', yieldBetween: () => new Promise((r) => setImmediate(r)) });
    if (e.record) e.view = runView(e.record, e.metrics.summary, e.alive, now);
    const after = e.view ? `${e.view.status}|${e.view.step}|${e.view.totalSteps}|${e.record?.error}` : '';
    const live = e.view?.status === 'running';
    if (got.count === 0 && !got.reset && before === after && !live) return undefined;
    return { id: e.id, appended: got.thinned ? [] : got.appended, reset: got.reset, thinned: got.thinned, statusChanged: before !== after };
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.changeEmitter.dispose();
  }
}
