// Accepting every default learns: on each sample task, `clinical-ft train` with no settings but the data (the
// fitted defaults, the same as the Start run review's) reaches at least 80% of what the demo's SFT budget reaches,
// both trained by the CLI in child processes and evaluated by the demo's own code path on the same held-out examples.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { demoTasks } from '../../../src/trainer/demo/demoPlan';
import { parseArgs, trainArgs } from '../../../src/trainer/demo/main';
import { evaluateSet } from '../../../src/trainer/demo/evaluateSet';
import { runTrainerCli } from '../../../src/trainer/demo/trainerCli';
import { runPool } from '../../../src/trainer/demo/pool';
import { initBackend } from '../../../src/trainer/backend';

const repo = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const root = path.join(repo, 'out', `defaults-learn-${process.pid}`);
const trainerJs = path.join(root, 'dist', 'trainer.js');
const model = path.join(repo, 'datasets-sample', 'model');
/** Held-out examples per task: enough to tell learning from fragments, few enough to keep the test short. */
const LIMIT = 40;
const SHARE = 0.8;

before(async () => {
  await esbuild.build({ entryPoints: [path.join(repo, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: trainerJs, packages: 'external', logLevel: 'error' });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('accepting every default reaches 80% of the demo\'s SFT metric on each sample task', { timeout: 3 * 60 * 60 * 1000 }, async () => {
  const demo = parseArgs(['--model', model, '--samples', path.join(repo, 'datasets-sample'), '--backend', 'wasm'], root);
  const tasks = demoTasks(demo.samples);
  const runs = tasks.flatMap((task) => [
    { task, way: 'defaults' as const, out: path.join(root, 'runs', `defaults-${task.id}`) },
    { task, way: 'demo' as const, out: path.join(root, 'runs', `demo-${task.id}`) },
  ]);
  // Two trainers at a time, the cores shared out between them.
  const jobs = 2;
  await runPool(runs, jobs, async (r) => {
    const args = r.way === 'demo' ? trainArgs('sft', r.task, demo, 1, r.out) : ['train', '--method', 'sft', '--model', model, '--data', r.task.train, '--out', r.out, '--seed', '1', '--backend', 'wasm'];
    await runTrainerCli(trainerJs, args, `${r.out}.log`, jobs);
  });
  const fitted = fs.readFileSync(path.join(root, 'runs', 'defaults-triage.log'), 'utf8');
  assert.match(fitted, /defaults fitted to the model and data/, 'the defaults run took no settings but the data');
  await initBackend('wasm');
  const rows: string[] = [];
  const short: string[] = [];
  for (const task of tasks) {
    const score = async (way: string) => (await evaluateSet({ model, adapter: path.join(root, 'runs', `${way}-${task.id}`, 'adapter'), data: task.eval, task: task.id, limit: LIMIT })).metrics;
    const ours = await score('defaults');
    const theirs = await score('demo');
    for (const m of theirs) {
      const mine = ours.find((o) => o.metric === m.metric)?.value ?? 0;
      rows.push(`${task.id} ${m.label}: defaults ${mine.toFixed(3)} vs demo ${m.value.toFixed(3)}`);
      if (mine < SHARE * m.value) short.push(rows[rows.length - 1]!);
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  assert.deepEqual(short, [], `below ${SHARE * 100}% of the demo:\n${rows.join('\n')}`);
});
