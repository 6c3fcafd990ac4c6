import * as vscode from 'vscode';
import * as cp from 'node:child_process';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  parseTrainerEvent,
  type TrainerEvent,
  type TrainerRequestInput,
} from '../core/protocol/trainer';

/**
 * One trainer child process (dist/trainer.js --child) spoken to over Node IPC. The host never loads tfjs:
 * everything heavy happens in the child. Events are validated before anyone sees them.
 */
export class TrainerProcess implements vscode.Disposable {
  private readonly child: cp.ChildProcess;
  private readonly emitter = new vscode.EventEmitter<TrainerEvent>();
  private readonly exitEmitter = new vscode.EventEmitter<{ code: number | null; signal: NodeJS.Signals | null }>();
  readonly onEvent = this.emitter.event;
  readonly onExit = this.exitEmitter.event;
  private stderrTail = '';
  private exited = false;

  constructor(extensionPath: string, options: { nodePath?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    const script = path.join(extensionPath, 'dist', 'trainer.js');
    this.child = cp.fork(script, ['--child'], {
      cwd: options.cwd,
      execPath: options.nodePath || undefined,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-4000);
    });
    this.child.stdout?.on('data', () => {});
    this.child.on('message', (raw) => {
      const parsed = parseTrainerEvent(raw);
      if (parsed.ok) this.emitter.fire(parsed.value);
      else console.warn(`[clinical-ft] rejected trainer message: ${parsed.error}`);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitEmitter.fire({ code, signal });
    });
    this.child.on('error', (e) => {
      this.stderrTail += `\n${e.message}`;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  send(request: TrainerRequestInput): void {
    if (!this.exited && this.child.connected) this.child.send(request);
  }

  /**
   * Sends a request and resolves with the first event of `responseType` carrying its id; rejects on a
   * `failed` event for it or when the process exits first.
   */
  request<T extends TrainerEvent['type']>(
    request: Omit<TrainerRequestInput, 'id'> & { type: TrainerRequestInput['type'] },
    responseType: T,
  ): Promise<Extract<TrainerEvent, { type: T }>> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const subs: vscode.Disposable[] = [];
      const finish = () => subs.forEach((s) => s.dispose());
      subs.push(
        this.onEvent((e) => {
          if (!('id' in e) || e.id !== id) return;
          if (e.type === responseType) {
            finish();
            resolve(e as Extract<TrainerEvent, { type: T }>);
          } else if (e.type === 'failed') {
            finish();
            reject(new Error(e.detail ? `${e.error}\n${e.detail}` : e.error));
          }
        }),
        this.onExit(({ code, signal }) => {
          finish();
          reject(new Error(`Trainer process exited (${signal ?? `code ${code}`}) before answering.${this.stderrTail ? `\n${this.stderrTail.trim()}` : ''}`));
        }),
      );
      this.send({ ...request, id } as TrainerRequestInput);
    });
  }

  /**
   * Stops the child. The event emitters are released only once it has exited, so requests still waiting
   * are rejected by the exit event instead of hanging forever.
   */
  dispose(): void {
    const release = () => {
      this.emitter.dispose();
      this.exitEmitter.dispose();
    };
    if (this.exited) {
      release();
      return;
    }
    this.child.once('exit', () => setImmediate(release));
    this.child.kill('SIGTERM');
  }
}

/** The Node executable configured for trainer processes (setting clinicalFt.nodePath). */
export function configuredNodePath(): string | undefined {
  const p = vscode.workspace.getConfiguration('clinicalFt').get<string>('nodePath');
  return p ? p : undefined;
}
