// Run folders as the trainer writes them, and a stand-in process that owns one like a trainer started by
// another window: shared by the trusted runs suite and the Restricted Mode suite.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { procStatStartTime } from '../../../src/core/runLock';

export const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
export const runsRoot = () => path.join(workspace(), '.clinical-ft', 'runs');
export const listRuns = () => (fs.existsSync(runsRoot()) ? fs.readdirSync(runsRoot()).sort() : []);
export const readRun = (id: string) => JSON.parse(fs.readFileSync(path.join(runsRoot(), id, 'run.json'), 'utf8')) as { status: string; error?: string };

export function writeRunFolder(id: string, opts: { status: string; steps: number; totalSteps: number; pid?: number; method?: 'sft' | 'dpo' }): string {
  const dir = path.join(runsRoot(), id);
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now() - 60_000;
  const record = {
    id,
    config: { method: opts.method ?? 'sft', model: '/models/tiny-fixture', data: path.join(workspace(), 'fixture.sft.jsonl'), steps: opts.totalSteps },
    status: opts.status,
    versions: {},
    totalSteps: opts.totalSteps,
    startedAt: new Date(started).toISOString(),
    ...(opts.status === 'completed' ? { endedAt: new Date().toISOString() } : {}),
    ...(opts.pid ? { pid: opts.pid } : {}),
  };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record, null, 2));
  const lines: string[] = [];
  for (let s = 1; s <= opts.steps; s++) lines.push(JSON.stringify({ ...metricsLine(s, started), ...(opts.method === 'dpo' ? dpoMetrics(s) : {}) }));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => `${l}\n`).join(''));
  fs.writeFileSync(path.join(dir, 'trainer.log'), `fixture run ${id}\n`);
  return dir;
}

function metricsLine(step: number, started: number) {
  return { step, epoch: step / 20, loss: 2.5 * Math.exp(-step / 8) + 0.3, learning_rate: 2e-4, grad_norm: 1 / step, tokens_per_second: 900, num_tokens: step * 512, time: new Date(started + step * 1000).toISOString() };
}

function dpoMetrics(step: number) {
  return { 'rewards/chosen': 0.05 * step, 'rewards/rejected': -0.04 * step, 'rewards/margins': 0.09 * step, 'rewards/accuracies': Math.min(1, 0.5 + step / 20) };
}

/**
 * A process that owns a run folder as a trainer would: a lock proving its pid (start stamp from /proc, as the
 * product reads it), appends metrics, honours SIGTERM.
 */
export function startStandInTrainer(dir: string, fromStep: number): cp.ChildProcess {
  const script = `
    const fs = require('fs'), path = require('path'), crypto = require('crypto');
    const dir = ${JSON.stringify(dir)};
    const procStatStartTime = ${procStatStartTime.toString()};
    const processStart = procStatStartTime(fs.readFileSync('/proc/self/stat', 'utf8'));
    fs.writeFileSync(path.join(dir, 'trainer.lock'), JSON.stringify({ pid: process.pid, token: crypto.randomBytes(16).toString('hex'), processStart, startedAt: new Date().toISOString() }));
    const rj = path.join(dir, 'run.json');
    const rec = JSON.parse(fs.readFileSync(rj, 'utf8'));
    fs.writeFileSync(rj, JSON.stringify({ ...rec, status: 'running', pid: process.pid }));
    let step = ${fromStep};
    const t = setInterval(() => {
      step++;
      fs.appendFileSync(path.join(dir, 'metrics.jsonl'), JSON.stringify({ step, epoch: step / 20, loss: 2 / step, time: new Date().toISOString() }) + '\\n');
    }, 150);
    process.on('SIGTERM', () => {
      clearInterval(t);
      const r = JSON.parse(fs.readFileSync(rj, 'utf8'));
      fs.writeFileSync(rj, JSON.stringify({ ...r, status: 'cancelled', endedAt: new Date().toISOString() }));
      fs.rmSync(path.join(dir, 'trainer.lock'), { force: true });
      process.exit(0);
    });`;
  return cp.spawn(process.execPath, ['-e', script], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}
