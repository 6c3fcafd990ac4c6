// The trainer as a real process (bundled src/trainer/main.ts): the CLI end to end, SIGTERM → cancelled,
// SIGKILL → the next reader marks the run failed and --resume finishes it, and a child whose host
// disconnects keeps training.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import * as esbuild from 'esbuild';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { readMetrics, readRunRecord, isRunAlive } from '../../../src/core/node/runFolderReader';
import { listCheckpoints } from '../../../src/trainer/train/checkpoint';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-proc-'));
const modelDir = path.join(tmp, 'model');
const cli = path.join(root, 'out', 'train-cli', 'trainer.js');
let data = '';

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  await esbuild.build({
    entryPoints: [path.join(root, 'src/trainer/main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '*.node'],
    logLevel: 'error',
  });
  await writeTinyModel(modelDir, { hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, seed: 5 });
  data = path.join(tmp, 'sft.jsonl');
  const rows = Array.from({ length: 16 }, (_, i) => ({ messages: [{ role: 'user', content: `Case ${i}: fever?` }, { role: 'assistant', content: i % 2 ? 'admit' : 'home' }] }));
  fs.writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
});

const baseArgs = (out: string, steps: number) => ['train', '--method', 'sft', '--model', modelDir, '--data', data, '--out', out, '--steps', String(steps), '--batch-size', '4', '--lr', '0.01', '--scheduler', 'constant', '--save-every', '2', '--backend', 'cpu'];

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = cp.spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a long run and resolves once it has written at least `steps` metrics lines and a checkpoint. */
async function startAndWait(out: string, steps: number): Promise<cp.ChildProcess> {
  const child = cp.spawn(process.execPath, [cli, ...baseArgs(out, 100000)], { stdio: 'ignore' });
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (readMetrics(out).records.length >= steps && listCheckpoints(out).length > 0) return child;
    if (child.exitCode !== null) break;
  }
  child.kill('SIGKILL');
  throw new Error(`the run did not reach step ${steps} (exit ${child.exitCode})`);
}

const exited = (child: cp.ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (code) => r(code))));

test('CLI trains SFT end to end, prints the final loss and refuses bad flags and data', { timeout: 120_000 }, () => {
  const out = path.join(tmp, 'cli-run');
  const r = runCli(baseArgs(out, 6));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /final loss \d+\.\d+ after 6 steps/);
  assert.ok(fs.existsSync(path.join(out, 'adapter', 'adapter_config.json')));
  assert.ok(fs.existsSync(path.join(out, 'adapter', 'adapter_model.safetensors')));
  const rec = readRunRecord(out);
  assert.ok(rec.ok && rec.record.status === 'completed' && rec.record.backend === 'cpu');
  const bad = runCli(['train', '--method', 'sft', '--model', modelDir, '--data', data, '--out', path.join(tmp, 'x'), '--lr', 'fast']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--lr must be a number/);
  const badCfg = runCli(['train', '--method', 'sft', '--model', modelDir, '--data', data, '--out', path.join(tmp, 'x'), '--batch-size', '0']);
  assert.equal(badCfg.code, 2);
  assert.match(badCfg.stderr, /--batch-size: /);
  const badData = path.join(tmp, 'bad.jsonl');
  fs.writeFileSync(badData, '{"prompt":"a","completion":"b"}\n{"prompt":"a"\n');
  const bd = runCli(['train', '--method', 'sft', '--model', modelDir, '--data', badData, '--out', path.join(tmp, 'x')]);
  assert.equal(bd.code, 2);
  assert.match(bd.stderr, /bad\.jsonl:2:\d+: invalid JSON/);
  assert.ok(!bd.stderr.includes('    at '), 'no stack trace');
});

test('SIGTERM cancels: checkpoint, status cancelled, exit 0', { timeout: 120_000 }, async () => {
  const out = path.join(tmp, 'sigterm');
  const child = await startAndWait(out, 3);
  assert.ok(isRunAlive(out));
  child.kill('SIGTERM');
  assert.equal(await exited(child), 0);
  const rec = readRunRecord(out);
  assert.ok(rec.ok);
  assert.equal(rec.record.status, 'cancelled');
  const lastStep = Math.max(...readMetrics(out).records.map((r) => r.step));
  assert.equal(listCheckpoints(out).at(-1), lastStep, 'checkpoint at the step it stopped');
  assert.ok(!isRunAlive(out));
});

test('SIGKILL: the folder stays readable, the reader marks it failed, --resume finishes it', { timeout: 120_000 }, async () => {
  const out = path.join(tmp, 'sigkill');
  const child = await startAndWait(out, 4);
  child.kill('SIGKILL');
  await exited(child);
  // Simulate the kill landing mid-append: a torn last metrics line.
  fs.appendFileSync(path.join(out, 'metrics.jsonl'), '{"step":99,"epo');
  const m = readMetrics(out);
  assert.equal(m.tornTail, true);
  assert.ok(m.records.length >= 4);
  const rec = readRunRecord(out);
  assert.ok(rec.ok);
  assert.equal(rec.record.status, 'failed');
  assert.match(rec.record.error ?? '', /ended without finishing/);
  const raw = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as { status: string };
  assert.equal(raw.status, 'failed', 'fixed up on disk for every later reader');
  const last = listCheckpoints(out).at(-1) as number;
  const r = runCli(['train', '--config', path.join(out, 'run.json'), '--out', out, '--resume', '--steps', String(last + 3)]);
  assert.equal(r.code, 0, r.stderr);
  const after = readRunRecord(out);
  assert.ok(after.ok && after.record.status === 'completed');
  const steps = readMetrics(out).records.filter((x) => typeof x.loss === 'number').map((x) => x.step);
  assert.deepEqual(steps, Array.from({ length: last + 3 }, (_, i) => i + 1), 'metrics continue from the checkpoint without duplicates');
});

test('child process: a run keeps going after the host disconnects; the folder tells its story', { timeout: 120_000 }, async () => {
  const out = path.join(tmp, 'child-run');
  const child = cp.fork(cli, ['--child'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
  const events: { type: string }[] = [];
  child.on('message', (m) => events.push(m as { type: string }));
  await new Promise<void>((r) => child.once('message', () => r()));
  child.send({
    type: 'train',
    id: 'run-1',
    outDir: out,
    config: { method: 'sft', model: modelDir, data, steps: 30, batchSize: 4, lr: 0.01, saveEvery: 5, backend: 'cpu' },
  });
  for (let i = 0; i < 300 && !events.some((e) => e.type === 'metrics'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(events.some((e) => e.type === 'started'), JSON.stringify(events.slice(0, 3)));
  child.disconnect();
  assert.equal(await exited(child), 0);
  const rec = readRunRecord(out);
  assert.ok(rec.ok);
  assert.equal(rec.record.status, 'completed');
  assert.equal(readMetrics(out).records.filter((r) => typeof r.loss === 'number').length, 30);
});
