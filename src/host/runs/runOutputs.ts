import * as vscode from 'vscode';
import * as path from 'node:path';
import { RUN_FILES } from '../../core/runFolder';
import { TextFileTail } from './fileTailSource';

/** One output channel per run followed in this window, fed from its trainer.log (the same after a reload). */
export class RunOutputs implements vscode.Disposable {
  private readonly channels = new Map<string, { channel: vscode.OutputChannel; tail: TextFileTail }>();

  follow(id: string, dir: string): vscode.OutputChannel {
    let c = this.channels.get(id);
    if (!c) {
      c = { channel: vscode.window.createOutputChannel(`Clinical FT run ${id}`), tail: new TextFileTail(path.join(dir, RUN_FILES.log)) };
      this.channels.set(id, c);
    }
    return c.channel;
  }

  has(id: string): boolean {
    return this.channels.has(id);
  }

  async pump(id: string): Promise<void> {
    const c = this.channels.get(id);
    if (!c) return;
    const text = await c.tail.read();
    if (text) c.channel.append(text);
  }

  show(id: string, dir: string): void {
    this.follow(id, dir).show(true);
    void this.pump(id);
  }

  drop(id: string): void {
    this.channels.get(id)?.channel.dispose();
    this.channels.delete(id);
  }

  dispose(): void {
    for (const c of this.channels.values()) c.channel.dispose();
    this.channels.clear();
  }
}
