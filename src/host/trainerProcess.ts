import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import {
  parseTrainerEvent,
  type TrainerEvent,
  type TrainerRequestInput,
} from '../core/protocol/trainer';
import type { ChildLifetime, TrainerChild, TrainerChildren } from './trainerChildren';

/**
 * One trainer child process (dist/trainer.js --child) spoken to over Node IPC. The host never loads tfjs:
 * everything heavy happens in the child. Events are validated before anyone sees them.
 */
export class TrainerProcess implements vscode.Disposable {
  private readonly child: TrainerChild;
  private readonly emitter = new vscode.EventEmitter<TrainerEvent>();
  private readonly exitEmitter = new vscode.EventEmitter<{ code: number | null; signal: NodeJS.Signals | null }>();
  readonly onEvent = this.emitter.event;
  readonly onExit = this.exitEmitter.event;
  private exited = false;

  /** `lifetime` 'run' for training (it outlives the window); everything else dies with the window. */
  constructor(children: TrainerChildren, options: { label: string; cwd?: string; env?: NodeJS.ProcessEnv; lifetime?: ChildLifetime }) {
    this.child = children.start({ label: options.label, args: ['--child'], cwd: options.cwd, env: options.env, lifetime: options.lifetime });
    const proc = this.child.process;
    proc.stdout?.on('data', () => {});
    proc.on('message', (raw) => {
      const parsed = parseTrainerEvent(raw);
      if (parsed.ok) this.emitter.fire(parsed.value);
      else console.warn(`[clinical-ft] rejected trainer message: ${parsed.error}`);
    });
    void this.child.exited.then(({ code, signal }) => {
      this.exited = true;
      this.exitEmitter.fire({ code, signal });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.child.stderr;
  }

  send(request: TrainerRequestInput): void {
    if (!this.exited && this.child.process.connected) this.child.process.send(request);
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
          reject(new Error(`Trainer process exited (${signal ?? `code ${code}`}) before answering.${this.stderr ? `\n${this.stderr.trim()}` : ''}`));
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
    void this.child.exited.then(() => setImmediate(release));
    this.child.cancel('SIGTERM');
  }
}
