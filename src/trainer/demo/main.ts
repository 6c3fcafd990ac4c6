// `npm run demo`: the study in miniature on the sample data with the bundled model — evaluate the base
// model, SFT per task, DPO from each SFT adapter on the pair files, evaluate SFT and DPO, over several
// seeds, and write the table (markdown + CSV) into the demo's folder. Training goes through the product's
// CLI; evaluation generates in process with the engine.
import * as fs from 'node:fs';
import { MODEL_CONFIG } from '../../core/node/modelFolder';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../backend';
import type { Backend } from '../../core/runConfig';
import { studyCsv } from '../../core/compare/studyTable';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { DEFAULT_BUDGET, demoTasks, policyPlan, type DemoBudget, type DemoTask } from './demoPlan';
import { policyGrid, ResultGrid, resultsMarkdown, type ModelRow } from './demoReport';
import { evaluateSet } from './evaluateSet';
import { runTrainerCli } from './trainerCli';
import { runPool } from './pool';
import { studyMarkdown } from '../../core/compare/studyTable';

export interface DemoArgs {
  root: string;
  model: string;
  samples: string;
  out?: string;
  runs?: string;
  seeds: number;
  limit?: number;
  tasks?: string[];
  backend: Backend;
  budget: DemoBudget;
  /** Training pipelines (task × seed) run at once: each trainer uses one core. */
  jobs: number;
  /** Seeds of the local-policy part (0 = skip it); default: all seeds. */
  policySeeds?: number;
}

export function parseArgs(argv: string[], root: string): DemoArgs {
  const a: DemoArgs = { root, model: path.join(root, 'datasets-sample', 'model'), samples: path.join(root, 'datasets-sample'), seeds: 3, backend: 'auto', budget: { ...DEFAULT_BUDGET }, jobs: Math.max(1, Math.min(4, os.availableParallelism())) };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    const num = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number (got ${JSON.stringify(value)})`);
      return n;
    };
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--model') a.model = path.resolve(value);
    else if (flag === '--samples') a.samples = path.resolve(value);
    else if (flag === '--out') a.out = path.resolve(value);
    else if (flag === '--runs') a.runs = path.resolve(value);
    else if (flag === '--seeds') a.seeds = num();
    else if (flag === '--limit') a.limit = num();
    else if (flag === '--tasks') a.tasks = value.split(',');
    else if (flag === '--backend') a.backend = value as Backend;
    else if (flag === '--jobs') a.jobs = Math.floor(num());
    else if (flag === '--sft-steps') a.budget = { ...a.budget, sftSteps: num(), sftStepsByTask: {} };
    else if (flag === '--dpo-steps') a.budget.dpoSteps = num();
    else if (flag === '--sft-lr') a.budget.sftLr = num();
    else if (flag === '--dpo-lr') a.budget.dpoLr = num();
    else if (flag === '--beta') a.budget.beta = num();
    else if (flag === '--pref-steps') a.budget.prefSteps = num();
    else if (flag === '--orpo-steps') a.budget.orpoSteps = num();
    else if (flag === '--policy-seeds') a.policySeeds = Number(value) === 0 ? 0 : Math.floor(num());
    else throw new Error(`unknown option ${flag} (options: --model --samples --out --runs --seeds --limit --tasks --backend --sft-steps --dpo-steps --sft-lr --dpo-lr --beta --jobs --pref-steps --orpo-steps --policy-seeds)`);
  }
  return a;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
const say = (msg: string) => process.stdout.write(`[demo ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** The demo's `clinical-ft train` arguments (exported: the fitted-defaults test trains the demo's way beside them). */
export function trainArgs(method: 'sft' | 'dpo', task: DemoTask, args: DemoArgs, seed: number, out: string, adapter?: string): string[] {
  const b = args.budget;
  return [
    'train', '--method', method, '--model', args.model, '--data', method === 'sft' ? task.train : task.pairs!, '--out', out,
    '--steps', String(method === 'sft' ? (b.sftStepsByTask[task.id] ?? b.sftSteps) : b.dpoSteps), '--lr', String(method === 'sft' ? b.sftLr : b.dpoLr),
    '--batch-size', String(b.batchSize), '--max-length', String(b.maxLength), '--lora-r', String(b.loraR), '--lora-alpha', String(b.loraAlpha),
    '--lora-targets', b.loraTargets, '--scheduler', 'cosine', '--seed', String(seed), '--backend', args.backend,
    ...(method === 'dpo' ? ['--beta', String(b.beta), '--adapter', adapter!] : []),
  ];
}

type PolicyMethod = 'dpo' | 'kto' | 'orpo' | 'simpo';
const POLICY_ROW: Record<PolicyMethod, ModelRow> = { dpo: 'DPO', kto: 'KTO', orpo: 'ORPO', simpo: 'SimPO' };

/** A preference run of the local-policy part: DPO/KTO/SimPO from the triage SFT adapter, ORPO from the base. */
function policyArgs(method: PolicyMethod, pairs: string, args: DemoArgs, seed: number, out: string, sftAdapter: string): string[] {
  const b = args.budget;
  const orpo = method === 'orpo';
  return [
    'train', '--method', method, '--model', args.model, '--data', pairs, '--out', out,
    '--steps', String(orpo ? b.orpoSteps : b.prefSteps), '--lr', String(orpo ? b.orpoLr : b.dpoLr),
    '--batch-size', String(b.batchSize), '--max-length', String(b.maxLength), '--lora-r', String(b.loraR), '--lora-alpha', String(b.loraAlpha),
    '--lora-targets', b.loraTargets, '--scheduler', 'cosine', '--seed', String(seed), '--backend', args.backend,
    '--beta', String(method === 'simpo' ? b.simpoBeta : b.beta),
    ...(orpo ? [] : ['--adapter', sftAdapter]),
  ];
}

export async function main(args: DemoArgs): Promise<void> {
  const t0 = Date.now();
  const trainerJs = path.join(args.root, 'dist', 'trainer.js');
  for (const p of [trainerJs, path.join(args.model, MODEL_CONFIG)]) if (!fs.existsSync(p)) throw new Error(`${p} not found (run "node esbuild.mjs" and "npm run pretrain-sample-model" first)`);
  const tasks = demoTasks(args.samples).filter((t) => !args.tasks || args.tasks.includes(t.id));
  for (const t of tasks) for (const f of [t.train, t.eval, t.pairs]) if (f && !fs.existsSync(f)) throw new Error(`${f} not found (datasets-sample/generate.mjs writes it)`);
  const backend = await initBackend(args.backend);
  const id = `demo-${stamp()}`;
  const demoDir = args.out ?? path.join(args.root, '.clinical-ft', 'demo', id);
  const runsDir = args.runs ?? path.join(args.root, '.clinical-ft', 'runs');
  fs.mkdirSync(demoDir, { recursive: true });
  const seeds = Array.from({ length: args.seeds }, (_, i) => i + 1);
  const grid = new ResultGrid();
  const policy = policyPlan(args.samples);
  const triage = tasks.find((t) => t.id === 'triage');
  const policySeeds = triage && fs.existsSync(policy.pairs) ? seeds.slice(0, args.policySeeds ?? seeds.length) : [];
  const pGrid = policyGrid();
  let complete = false;
  const write = () => {
    const table = grid.table();
    const facts = { model: path.relative(args.root, args.model) || args.model, seeds, budget: { ...args.budget, evalLimit: args.limit ?? 'all' }, jobs: args.jobs, minutes: (Date.now() - t0) / 60000, backend, complete };
    writeFileAtomic(path.join(demoDir, 'results.md'), resultsMarkdown(table, facts, policySeeds.length ? { table: pGrid.table(), seeds: policySeeds } : undefined));
    writeFileAtomic(path.join(demoDir, 'results.csv'), studyCsv(table));
    writeFileAtomic(path.join(demoDir, 'demo.json'), JSON.stringify({ id, ...facts, tasks, runsDir }, null, 2) + '\n');
  };
  say(`writing to ${demoDir}; training runs go to ${runsDir}/${id}-*; backend ${backend}`);

  const evaluate = async (row: ModelRow, task: Pick<DemoTask, 'id' | 'eval'>, folder: string, adapter?: string, into: ResultGrid = grid) => {
    // --limit cuts the policy eval too (its first records are policy messages, the controls come last).
    const limit = args.limit;
    const res = await evaluateSet({ model: args.model, ...(adapter ? { adapter } : {}), data: task.eval, task: task.id, ...(limit ? { limit } : {}) });
    fs.mkdirSync(folder, { recursive: true });
    writeFileAtomic(path.join(folder, `eval-${task.id}.jsonl`), res.examples.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileAtomic(path.join(folder, `eval-${task.id}.json`), JSON.stringify({ task: task.id, data: task.eval, adapter: adapter ?? null, metrics: res.metrics, examples: res.examples.length, maxNewTokens: res.maxNewTokens, seconds: res.seconds }, null, 2) + '\n');
    for (const m of res.metrics) into.add(row, m.metric, m.value);
    say(`${row.padEnd(4)} ${task.id.padEnd(13)} ${res.metrics.map((m) => `${m.label} ${m.value.toFixed(3)}`).join(', ')} (${res.examples.length} examples, ${res.seconds.toFixed(0)} s)`);
    write();
  };

  for (const task of tasks) await evaluate('base', task, path.join(demoDir, 'base'));
  const policyTask = { id: 'policy' as const, eval: policy.eval };
  if (policySeeds.length) await evaluate('base', policyTask, path.join(demoDir, 'base'), undefined, pGrid);
  // Each (task, seed) pipeline trains in child processes; evaluation runs here. With two or more jobs, one
  // pipeline's evaluation overlaps another's training, so a 2-core machine does the demo in about half the time.
  const pipelines = seeds.flatMap((seed) => tasks.map((task) => ({ seed, task })));
  say(`${pipelines.length} training pipelines, ${args.jobs} at a time`);
  await runPool(pipelines, args.jobs, async ({ seed, task }) => {
    const logFile = path.join(demoDir, 'logs', `${task.id}-s${seed}.log`);
    const sftRun = path.join(runsDir, `${id}-sft-${task.id}-s${seed}`);
    let t = Date.now();
    await runTrainerCli(trainerJs, trainArgs('sft', task, args, seed, sftRun), logFile, args.jobs);
    say(`SFT  ${task.id.padEnd(13)} seed ${seed}: trained in ${((Date.now() - t) / 1000).toFixed(0)} s → ${path.relative(args.root, sftRun)}`);
    const sftAdapter = path.join(sftRun, 'adapter');
    await evaluate('SFT', task, sftRun, sftAdapter);
    if (task.id === 'triage' && policySeeds.includes(seed)) await evaluate('SFT', policyTask, sftRun, sftAdapter, pGrid);
    if (!task.pairs) return;
    const dpoRun = path.join(runsDir, `${id}-dpo-${task.id}-s${seed}`);
    t = Date.now();
    await runTrainerCli(trainerJs, trainArgs('dpo', task, args, seed, dpoRun, sftAdapter), logFile, args.jobs);
    say(`DPO  ${task.id.padEnd(13)} seed ${seed}: trained in ${((Date.now() - t) / 1000).toFixed(0)} s → ${path.relative(args.root, dpoRun)}`);
    // adapter/ of a DPO run from an SFT adapter holds both, stacked: it applies to the base alone.
    await evaluate('DPO', task, dpoRun, path.join(dpoRun, 'adapter'));
  });
  // The local-policy part: every preference method on Riverbend's pairs, per seed, after the SFT adapters exist.
  const policyJobs = policySeeds.flatMap((seed) => (['dpo', 'kto', 'simpo', 'orpo'] as const).map((method) => ({ seed, method })));
  if (policyJobs.length) say(`local policy: ${policyJobs.length} preference runs (DPO, KTO, SimPO from each triage SFT adapter; ORPO from the base), ${args.jobs} at a time`);
  await runPool(policyJobs, args.jobs, async ({ seed, method }) => {
    const sftAdapter = path.join(runsDir, `${id}-sft-triage-s${seed}`, 'adapter');
    const out = path.join(runsDir, `${id}-${method}-policy-s${seed}`);
    const t = Date.now();
    await runTrainerCli(trainerJs, policyArgs(method, policy.pairs, args, seed, out, sftAdapter), path.join(demoDir, 'logs', `policy-${method}-s${seed}.log`), args.jobs);
    say(`${POLICY_ROW[method].padEnd(5)} policy        seed ${seed}: trained in ${((Date.now() - t) / 1000).toFixed(0)} s → ${path.relative(args.root, out)}`);
    await evaluate(POLICY_ROW[method], policyTask, out, path.join(out, 'adapter'), pGrid);
  });
  complete = true;
  write();
  process.stdout.write(`\n${studyMarkdown(grid.table())}\n\n`);
  process.stdout.write(fs.readFileSync(path.join(demoDir, 'results.md'), 'utf8').split('## Checks (issue 8)')[1].split('## For shape only')[0].trim() + '\n\n');
  say(`done in ${((Date.now() - t0) / 60000).toFixed(1)} min; results: ${path.join(demoDir, 'results.md')} and results.csv`);
}
