import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEvalJson, type ModelEvaluation } from '../../core/compare/evalOutput';
import type { TrainerChild, TrainerChildren } from '../trainerChildren';

/**
 * One `clinical-ft eval --json` run in a child process (the host never loads tfjs). Resolves with the
 * parsed evaluation; rejects with the trainer's own error text. `kill()` stops it (panel closed); the
 * window's owner of trainer children kills it when the window goes.
 */
export class EvalProcess {
  private child: TrainerChild | undefined;
  private killed = false;

  constructor(private readonly children: TrainerChildren) {}

  /** `outDir` receives the evaluator's metrics.json and outputs.jsonl (kept until deleted: see README "Where outputs are kept"). */
  async run(model: string, adapter: string | undefined, data: string, outDir: string, cwd: string | undefined): Promise<ModelEvaluation> {
    const args = ['eval', '--model', model, ...(adapter ? ['--adapter', adapter] : []), '--data', data, '--out', outDir, '--json'];
    const { child, result } = this.children.run({ label: `eval ${path.basename(data)}${adapter ? ` with ${path.basename(adapter)}` : ''}`, args, cwd });
    this.child = child;
    if (this.killed) child.kill();
    const r = await result;
    if (r.startError) throw new Error(`cannot start the trainer: ${r.startError}`);
    if (this.killed || r.cancelled) throw new Error('cancelled');
    if (r.code !== 0 && !r.stdout.trim()) throw new Error(r.stderr.trim().split('\n').slice(-3).join(' ') || `eval exited with ${r.signal ?? `code ${r.code}`}`);
    const readOutputs = (dir: string) => {
      const file = path.resolve(cwd ?? '.', dir, 'outputs.jsonl');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    };
    return parseEvalJson(r.stdout, `eval ${path.basename(data)}${adapter ? ` with ${adapter}` : ''}`, readOutputs);
  }

  kill(): void {
    this.killed = true;
    this.child?.cancel();
  }
}
