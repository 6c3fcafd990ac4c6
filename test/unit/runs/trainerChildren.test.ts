// One owner of every trainer child the host starts (src/host/trainerChildren.ts): no other module of src/host
// forks or spawns a process, and disposing the owner (deactivate) kills the compare/eval/validate/token-count
// children while a training run's child goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import * as esbuild from 'esbuild';
import { TrainerChildren } from '../../../src/host/trainerChildren';
import { checkDataset } from '../../../src/host/runs/datasetCheck';
import { EvalProcess } from '../../../src/host/compare/evalProcess';
import { validateInChild } from '../../../src/host/datasets/validateInChild';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { alive } from '../../fixtures/processAlive';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const extensionPath = path.join(root, 'out', `children-${process.pid}`);
const script = path.join(extensionPath, 'dist', 'trainer.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-children-'));

before(async () => {
  await esbuild.build({ entryPoints: [path.join(root, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: script, packages: 'external', logLevel: 'error' });
});
after(() => {
  fs.rmSync(extensionPath, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

function hostSources(dir = path.join(root, 'src/host')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? hostSources(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
}

test('only src/host/trainerChildren.ts starts processes in the host', () => {
  const offenders = hostSources()
    .filter((f) => path.basename(f) !== 'trainerChildren.ts')
    .flatMap((f) => {
      const text = fs.readFileSync(f, 'utf8');
      const hits = [/child_process/, /(?<![\w.])(fork|spawn|spawnSync|exec|execFile|execSync|execFileSync)\s*\(/].filter((re) => re.test(text));
      return hits.length ? [`${path.relative(root, f)}: ${hits.map(String).join(', ')}`] : [];
    });
  assert.deepEqual(offenders, []);
});

async function waitFor(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('dispose (deactivate) kills eval, validate and dataset-check children; a training run is let go, not killed', async (t) => {
  // Reading a FIFO nobody writes keeps each child busy until it is killed.
  const fifo = path.join(tmp, 'held.jsonl');
  cp.execFileSync('mkfifo', [fifo]);
  const model = path.join(tmp, 'model');
  await writeTinyModel(model, { hidden: 16, layers: 1, heads: 2, kvHeads: 1, intermediate: 32, seed: 1 });
  const log: string[] = [];
  const owner = new TrainerChildren({ script, nodePath: () => undefined, log: (l) => log.push(l) });

  const check = checkDataset(owner, fifo, 'sft');
  const validate = validateInChild(owner, fifo, { phiAsErrors: false }).then(
    () => 'resolved',
    (e: Error) => e.message,
  );
  const evaluation = new EvalProcess(owner).run(model, undefined, fifo, path.join(tmp, 'eval-out'), tmp).then(
    () => 'resolved',
    (e: Error) => e.message,
  );
  // A training run's lifetime: it reads stdin here, which stays open, so only a kill would end it.
  const run = owner.start({ label: 'train (stand-in)', args: ['validate', '-', '--json'], stdin: true, lifetime: 'run' });
  // A failed assertion must not leave children blocked forever (they would keep this test file running).
  t.after(() => {
    owner.dispose();
    run.kill();
  });
  await waitFor(() => owner.live.length === 4 && owner.live.every((c) => c.pid !== undefined), 'four children');
  const windowPids = owner.live.filter((c) => c.lifetime === 'window').map((c) => c.pid!);
  assert.equal(windowPids.length, 3);
  // Give eval time to load the model and block on the data, so the kill hits a working child.
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(windowPids.every(alive), 'the children are still working before dispose');

  owner.dispose();
  await waitFor(() => windowPids.every((pid) => !alive(pid)), 'the window children to die', 10_000);
  const checked = await check;
  assert.equal(checked.kind, 'unavailable');
  assert.match(await validate, /failed \(SIGKILL\)/);
  assert.equal(await evaluation, 'cancelled');
  assert.ok(run.alive && alive(run.pid!), 'the training run outlives the window');
  assert.throws(() => owner.start({ label: 'late', args: ['--help'] }), /window is closing/);
  assert.ok(log.some((l) => /\[trainer\] eval held\.jsonl started \(pid \d+\)/.test(l)), log.join('\n'));
  run.kill();
  await run.exited;
});

test('run() reports a timeout instead of hanging, and bounds what it keeps of stdout', async () => {
  const owner = new TrainerChildren({ script, nodePath: () => undefined });
  const fifo = path.join(tmp, 'slow.jsonl');
  cp.execFileSync('mkfifo', [fifo]);
  const slow = await owner.run({ label: 'validate', args: ['validate', fifo, '--json'], timeoutMs: 500 }).result;
  assert.equal(slow.timedOut, true);
  assert.equal(slow.signal, 'SIGKILL');
  const help = await owner.run({ label: 'help', args: ['--help'], maxStdoutBytes: 10 }).result;
  assert.equal(help.code, 0);
  assert.equal(help.truncated, true);
  assert.ok(help.stdout.length <= 10);
  owner.dispose();
});

test('a bad clinicalFt.nodePath is reported, not thrown', async () => {
  const owner = new TrainerChildren({ script, nodePath: () => path.join(tmp, 'no-such-node') });
  const r = await checkDataset(owner, path.join(root, 'datasets-sample', 'defects', 'phi-phone.jsonl'), 'sft');
  assert.equal(r.kind, 'unavailable');
  assert.match(r.kind === 'unavailable' ? r.reason : '', /ENOENT|no-such-node/);
  owner.dispose();
});

test('startLauncher: the launcher leads its own process group; cancel() SIGTERMs the whole group (a grandchild too) and output goes to the log file', async (t) => {
  const owner = new TrainerChildren({ script, nodePath: () => undefined });
  const dir = fs.mkdtempSync(path.join(tmp, 'launch-'));
  // A launcher that starts a worker (as torchrun starts ranks) and records the worker's pid; both wait.
  const sh = `echo launcher up; sleep 30 & echo $! > worker.pid; trap 'echo got TERM; kill $(cat worker.pid) 2>/dev/null; exit 143' TERM; wait`;
  const child = owner.startLauncher({ label: 'launch (stand-in)', command: 'bash', args: ['-c', sh], cwd: dir, logFile: path.join(dir, 'launch.log') });
  t.after(() => child.kill());
  await waitFor(() => fs.existsSync(path.join(dir, 'worker.pid')) && fs.readFileSync(path.join(dir, 'worker.pid'), 'utf8').trim() !== '', 'the worker pid');
  const worker = Number(fs.readFileSync(path.join(dir, 'worker.pid'), 'utf8'));
  assert.equal(child.group, true);
  assert.equal(child.lifetime, 'run');
  // Its own group: the launcher's pgid is its pid (a signal to -pid reaches only its processes, not ours).
  assert.equal(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')[2], String(child.pid));
  assert.equal(fs.readFileSync(`/proc/${worker}/stat`, 'utf8').split(') ')[1].split(' ')[2], String(child.pid), 'the worker is in the launcher group');
  child.cancel('SIGTERM');
  const end = await child.exited;
  await waitFor(() => !alive(worker), 'the worker to end with its group', 10_000);
  assert.ok(end.code === 143 || end.signal === 'SIGTERM', JSON.stringify(end));
  assert.equal(child.cancelled, true);
  assert.match(fs.readFileSync(path.join(dir, 'launch.log'), 'utf8'), /launcher up/);
  owner.dispose();
});

test('runProgram: an external program runs to its end with its output collected; a missing program is a start error, not a throw', async () => {
  const owner = new TrainerChildren({ script, nodePath: () => undefined });
  const ok = await owner.runProgram({ label: 'echo', command: 'bash', args: ['-c', 'echo Submitted batch job 42; echo warn >&2'], timeoutMs: 10_000 });
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout.trim(), 'Submitted batch job 42');
  assert.match(ok.stderr, /warn/);
  const missing = await owner.runProgram({ label: 'nope', command: path.join(tmp, 'no-such-sbatch'), args: [], timeoutMs: 10_000 });
  assert.ok(missing.startError, JSON.stringify(missing));
  const slow = await owner.runProgram({ label: 'slow', command: 'sleep', args: ['30'], timeoutMs: 300 });
  assert.equal(slow.timedOut, true);
  owner.dispose();
});
