import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEvalJson, type ModelEvaluation } from '../../core/compare/evalOutput';

/**
 * One `clinical-ft eval --json` run in a child process (the host never loads tfjs). Resolves with the
 * parsed evaluation; rejects with the trainer's own error text. `kill()` stops it (panel closed).
 */
export class EvalProcess {
  private child: cp.ChildProcess | undefined;
  private killed = false;

  constructor(
    private readonly extensionPath: string,
    private readonly nodePath: string | undefined,
  ) {}

  /** `outDir` receives the evaluator's metrics.json and outputs.jsonl (kept: a person can reread them). */
  run(model: string, adapter: string | undefined, data: string, outDir: string, cwd: string | undefined): Promise<ModelEvaluation> {
    const script = path.join(this.extensionPath, 'dist', 'trainer.js');
    const args = ['eval', '--model', model, ...(adapter ? ['--adapter', adapter] : []), '--data', data, '--out', outDir, '--json'];
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      const child = cp.fork(script, args, { cwd, execPath: this.nodePath || undefined, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      this.child = child;
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
      child.on('error', (e) => reject(new Error(`cannot start the trainer: ${e.message}`)));
      child.on('exit', (code) => {
        if (this.killed) return reject(new Error('cancelled'));
        if (code !== 0 && !stdout.trim()) return reject(new Error(stderr.trim().split('\n').slice(-3).join(' ') || `eval exited with code ${code}`));
        try {
          const readOutputs = (dir: string) => {
            const file = path.resolve(cwd ?? '.', dir, 'outputs.jsonl');
            return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
          };
          resolve(parseEvalJson(stdout, `eval ${path.basename(data)}${adapter ? ` with ${adapter}` : ''}`, readOutputs));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  }

  kill(): void {
    this.killed = true;
    this.child?.kill();
  }
}
