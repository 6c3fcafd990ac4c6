// The pure parts of the TRL engine's VS Code side: how a local run is laid out over processes, the export
// confirmation's wording, SLURM's answers, and what "Import run results" accepts and refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localLaunchPlan } from '../../../src/core/trlLaunchPlan';
import { exportConfirmation } from '../../../src/core/remoteJobText';
import { onPath, parseSbatchJobId, parseSlurmJobRecord, parseSlurmState } from '../../../src/core/slurm';
import { checkAdapterFolder, checkImport, importRunFolder, metricsFromTrainerState } from '../../../src/core/node/importRun';
import { readRunRecord } from '../../../src/core/node/runFolderReader';
import { lockOwnerState } from '../../../src/core/node/runLock';
import { defaultRunConfig } from '../../../src/core/runs/runDefaults';
import { fitDefaults } from '../../../src/core/runs/fittedDefaults';
import type { PythonStackReport } from '../../../src/core/pythonStack';

const report = (devices: number): PythonStackReport => ({
  python: '3.11.2',
  executable: '/venv/bin/python',
  packages: {},
  cuda: { available: devices > 0, version: devices ? '12.6' : null, devices: Array.from({ length: devices }, () => ({ name: 'H100', memoryMB: 81559 })) },
});

test('local TRL runs: two CPU processes without CUDA, one per GPU with it, never a count that cannot split the batch', () => {
  assert.deepEqual(localLaunchPlan(report(0), 2, 4, 'sft'), { mode: 'cpu', numProcesses: 2 });
  assert.deepEqual(localLaunchPlan(report(0), 1, 4, 'sft'), { mode: 'cpu', numProcesses: 1 });
  assert.deepEqual(localLaunchPlan(report(0), 8, 3, 'sft'), { mode: 'cpu', numProcesses: 1 }, '3 examples do not split over 2');
  assert.deepEqual(localLaunchPlan(report(1), 8, 4, 'sft'), { mode: 'single-gpu', numProcesses: 1 });
  assert.deepEqual(localLaunchPlan(report(4), 8, 8, 'sft'), { mode: 'multi-gpu', numProcesses: 4 });
  assert.deepEqual(localLaunchPlan(report(4), 8, 6, 'sft'), { mode: 'multi-gpu', numProcesses: 3 });
  // KTO's KL estimate needs 2 examples per process (TRL KTOTrainer): fewer processes rather than a refused run.
  assert.deepEqual(localLaunchPlan(report(0), 2, 2, 'kto'), { mode: 'cpu', numProcesses: 1 });
  assert.deepEqual(localLaunchPlan(report(0), 2, 4, 'kto'), { mode: 'cpu', numProcesses: 2 });
  assert.deepEqual(localLaunchPlan(report(4), 8, 4, 'kto'), { mode: 'multi-gpu', numProcesses: 2 });
  assert.deepEqual(localLaunchPlan(report(0), 2, 2, 'simpo'), { mode: 'cpu', numProcesses: 2 });
});

test('the export confirmation names every file that leaves and says it may hold PHI', () => {
  const config = { ...defaultRunConfig('dpo', { model: '/m/llama', data: '/ws/prefs.jsonl', adapter: '/runs/a/adapter' }, fitDefaults({ method: 'dpo', parameters: 1e6, maxPositions: 1024, records: 100, lengths: [100, 120] })), evalData: '/ws/held.jsonl' };
  const c = exportConfirmation(config, '/out/job', 'export');
  assert.match(c.message, /these 3 files/);
  for (const f of ['/ws/prefs.jsonl', '/ws/held.jsonl', '/runs/a/adapter']) assert.ok(c.detail.includes(f), f);
  assert.match(c.detail, /leave this machine/);
  assert.match(c.detail, /PHI/);
  assert.match(c.detail, /\/out\/job/);
  assert.equal(c.button, 'Export');
  assert.equal(exportConfirmation(config, '/runs/x', 'slurm').button, 'Submit');
});

test('SLURM answers: sbatch job ids, squeue/sacct states, anything else unknown; PATH lookup', () => {
  assert.equal(parseSbatchJobId('Submitted batch job 123456\n'), '123456');
  assert.equal(parseSbatchJobId('98765;cluster\n'), '98765');
  assert.equal(parseSbatchJobId('sbatch: error: invalid partition\n'), undefined);
  assert.deepEqual(parseSlurmState('PENDING\n'), { phase: 'active', state: 'PENDING' });
  assert.deepEqual(parseSlurmState('RUNNING\n'), { phase: 'active', state: 'RUNNING' });
  assert.deepEqual(parseSlurmState('CANCELLED by 1000\n'), { phase: 'ended', state: 'CANCELLED' });
  assert.deepEqual(parseSlurmState('COMPLETED\nCOMPLETED\n'), { phase: 'ended', state: 'COMPLETED' });
  assert.deepEqual(parseSlurmState(''), { phase: 'unknown' });
  assert.deepEqual(parseSlurmState('slurm_load_jobs error: Invalid job id specified'), { phase: 'unknown' });
  assert.equal(parseSlurmJobRecord('{"jobId":"12","submittedAt":"t"}')?.jobId, '12');
  assert.equal(parseSlurmJobRecord('{"jobId":"12; rm -rf /","submittedAt":"t"}'), undefined);
  assert.equal(onPath('sbatch', '/a:/b', (f) => f === '/b/sbatch'), '/b/sbatch');
  assert.equal(onPath('sbatch', '/a:/b', () => false), undefined);
});

test('a trainer lock that names another machine is unprovable (a SLURM job on a shared filesystem), not a dead trainer', () => {
  const lock = { pid: 2 ** 22 - 5, token: '0'.repeat(32), processStart: '1', startedAt: 't' };
  assert.equal(lockOwnerState(lock), 'gone');
  assert.equal(lockOwnerState({ ...lock, host: `${os.hostname()}-node17` }), 'unprovable');
  assert.equal(lockOwnerState({ ...lock, host: os.hostname() }), 'gone');
});

// ---- import ---------------------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-import-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function safetensors(keys: string[]): Buffer {
  const header: Record<string, unknown> = {};
  keys.forEach((k, i) => (header[k] = { dtype: 'F32', shape: [1, 1], data_offsets: [i * 4, i * 4 + 4] }));
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(keys.length * 4)]);
}

function serverRun(name: string, opts: { status?: string; metrics?: string; trainerState?: object; adapterKeys?: string[] | null } = {}): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const config = { ...defaultRunConfig('sft', { model: '/m/tiny', data: '/ws/train.jsonl' }, fitDefaults({ method: 'sft', parameters: 1e6, maxPositions: 1024, records: 100, lengths: [100, 120] })), engine: 'trl' };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: 'job-1', config, status: opts.status ?? 'completed', versions: { trl: '0.19.1' }, totalSteps: 3 }));
  if (opts.metrics !== undefined) fs.writeFileSync(path.join(dir, 'metrics.jsonl'), opts.metrics);
  if (opts.trainerState) {
    fs.mkdirSync(path.join(dir, 'checkpoints', 'checkpoint-3'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'checkpoints', 'checkpoint-3', 'trainer_state.json'), JSON.stringify(opts.trainerState));
  }
  if (opts.adapterKeys !== null) {
    fs.mkdirSync(path.join(dir, 'adapter'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'adapter', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj'] }));
    fs.writeFileSync(path.join(dir, 'adapter', 'adapter_model.safetensors'), safetensors(opts.adapterKeys ?? ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight']));
  }
  return dir;
}

test('import: a finished server run (run.json, metrics.jsonl, adapter) becomes a run the runs folder reads like any other', () => {
  const src = serverRun('ok', { metrics: '{"step":1,"epoch":0.1,"loss":2.5}\n{"step":2,"epoch":0.2,"loss":2.1}\n{"step":3,"ep' });
  const check = checkImport(src);
  assert.ok(check.ok, JSON.stringify(check));
  const root = path.join(tmp, 'runs');
  fs.mkdirSync(root, { recursive: true });
  const id = importRunFolder(src, check.plan, root);
  assert.equal(id, 'job-1');
  const read = readRunRecord(path.join(root, id));
  assert.ok(read.ok && read.record.status === 'completed' && read.record.config.engine === 'trl');
  assert.ok(fs.existsSync(path.join(root, id, 'adapter', 'adapter_model.safetensors')));
  assert.match(fs.readFileSync(path.join(root, id, 'trainer.log'), 'utf8'), /Imported from/);
  // A second import of the same run does not overwrite the first.
  assert.equal(importRunFolder(src, check.plan, root), 'job-1-imported');
});

test('import: without metrics.jsonl, the newest checkpoint trainer_state.json log_history gives the curve (summaries dropped)', () => {
  const state = { log_history: [{ step: 1, epoch: 0.5, loss: 3.0, learning_rate: 1e-4, grad_norm: 2 }, { step: 2, epoch: 1, eval_loss: 2.9 }, { step: 3, epoch: 1.5, loss: 2.0 }, { step: 3, epoch: 1.5, train_runtime: 9.1, train_loss: 2.5 }, { epoch: 2, loss: 1 }] };
  const m = metricsFromTrainerState(JSON.stringify(state), 'trainer_state.json');
  assert.ok(m.ok);
  assert.deepEqual(m.records.map((r) => [r.step, r.loss ?? r.eval_loss]), [[1, 3.0], [2, 2.9], [3, 2.0]]);
  const src = serverRun('state-only', { trainerState: state });
  const check = checkImport(src);
  assert.ok(check.ok && check.plan.metrics.from === 'trainer_state.json', JSON.stringify(check));
  const root = path.join(tmp, 'runs2');
  fs.mkdirSync(root);
  const id = importRunFolder(src, check.plan, root);
  assert.equal(fs.readFileSync(path.join(root, id, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 3);
  assert.ok(fs.existsSync(path.join(root, id, 'trainer_state.json')));
});

test('import refuses, naming file and field: a run still running, a completed run without its adapter, a foreign or broken adapter, a broken metrics line, a folder without run.json', () => {
  const problems = (dir: string) => {
    const c = checkImport(dir);
    assert.equal(c.ok, false);
    return (c as { problems: string[] }).problems.join('\n');
  };
  assert.match(problems(serverRun('running', { status: 'running', metrics: '' })), /run\.json: field status: "running" — the run has not ended/);
  assert.match(problems(serverRun('no-adapter', { metrics: '{"step":1,"epoch":0,"loss":1}\n', adapterKeys: null })), /adapter: missing, but run\.json says completed/);
  assert.match(problems(serverRun('foreign', { metrics: '', adapterKeys: ['model.layers.0.self_attn.q_proj.weight'] })), /not a LoRA weight of PEFT's layout/);
  assert.match(problems(serverRun('bad-metrics', { metrics: '{"step":1,"epoch":0,"loss":1}\nnot json\n{"step":2,"epoch":0,"loss":1}\n' })), /metrics\.jsonl: line 2: not JSON/);
  assert.match(problems(serverRun('bad-field', { metrics: '{"step":-1,"epoch":0,"loss":1}\n' })), /metrics\.jsonl: line 1: field step/);
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  assert.match(problems(empty), /run\.json: missing — import the run folder itself/);
  const trunc = serverRun('truncated', { metrics: '' });
  fs.writeFileSync(path.join(trunc, 'adapter', 'adapter_model.safetensors'), Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
  assert.match(checkAdapterFolder(path.join(trunc, 'adapter')).join('\n'), /header length 200 does not fit the file/);
});
