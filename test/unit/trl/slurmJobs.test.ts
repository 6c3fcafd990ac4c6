// SLURM from the host, against stand-ins: sbatch, squeue and sacct are external systems that cannot run on
// this machine, so small shell scripts on PATH play them (printing what the real commands print). What is
// tested is our side: the submit in the job folder, the job id, the state queries, and the ending recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainerChildren } from '../../../src/host/trainerChildren';
import { SLURM_JOB_FILE, SlurmWatcher, querySlurmState, readSlurmJob, submitSlurmJob } from '../../../src/host/trl/slurmJobs';
import { slurmCommand } from '../../../src/host/trl/slurmCommand';
import { defaultRunConfig } from '../../../src/core/runs/runDefaults';
import { fitDefaults } from '../../../src/core/runs/fittedDefaults';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-slurm-'));
const bin = path.join(tmp, 'bin');
const state = path.join(tmp, 'state');
const savedPath = process.env.PATH;
test.after(() => {
  process.env.PATH = savedPath;
  fs.rmSync(tmp, { recursive: true, force: true });
});

function script(name: string, body: string): void {
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

fs.mkdirSync(bin);
// sbatch records where and with what it ran; squeue lists the job while state/queue says so; sacct knows how it ended.
script('sbatch', `echo "$PWD $*" > "${tmp}/sbatch.args"\necho "Submitted batch job 4242"`);
script('squeue', `[ "$3" = 4242 ] && cat "${state}/queue" 2>/dev/null; exit 0`);
script('sacct', `[ "$5" = 4242 ] && cat "${state}/final" 2>/dev/null; exit 0`);
fs.mkdirSync(state);
const owner = new TrainerChildren({ script: '/nonexistent', nodePath: () => undefined });
test.after(() => owner.dispose());

function runFolder(name: string, status: string): string {
  const dir = path.join(tmp, 'runs', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: name, config: { ...defaultRunConfig('sft', { model: '/m', data: '/d.jsonl' }, fitDefaults({ method: 'sft', parameters: 1e6, maxPositions: 1024, records: 100, lengths: [100, 120] })), engine: 'trl' }, status, versions: {} }));
  fs.writeFileSync(path.join(dir, 'slurm.sbatch'), '#!/bin/sh\n');
  return dir;
}

test('without sbatch on PATH nothing is offered and a submit says why', async () => {
  process.env.PATH = '/nonexistent-bin';
  assert.equal(slurmCommand('sbatch'), undefined);
  await assert.rejects(submitSlurmJob(owner, tmp), /sbatch is not on PATH/);
  assert.equal(await querySlurmState(owner, '4242'), undefined);
});

test('submit runs sbatch slurm.sbatch in the job folder and records the job id; squeue then sacct give its state; an ending before the run is recorded failed', async () => {
  process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
  const dir = runFolder('r1', 'queued');
  const job = await submitSlurmJob(owner, dir);
  assert.equal(job.jobId, '4242');
  assert.equal(fs.readFileSync(path.join(tmp, 'sbatch.args'), 'utf8').trim(), `${dir} slurm.sbatch`);
  assert.equal(readSlurmJob(dir)?.jobId, '4242');

  fs.writeFileSync(path.join(state, 'queue'), 'PENDING\n');
  assert.deepEqual(await querySlurmState(owner, '4242'), { phase: 'active', state: 'PENDING' });
  let refreshed = 0;
  const store = { list: () => [{ id: 'r1', dir }], refresh: async () => void refreshed++ } as never;
  const watcher = new SlurmWatcher(owner, store);
  await watcher.poll();
  assert.equal(readSlurmJob(dir)?.state, 'PENDING');
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).status, 'queued');

  // scancel while pending: squeue forgets the job, sacct says CANCELLED, train.py never ran.
  fs.rmSync(path.join(state, 'queue'));
  fs.writeFileSync(path.join(state, 'final'), 'CANCELLED by 1000\n');
  await watcher.poll();
  assert.equal(readSlurmJob(dir)?.state, 'CANCELLED');
  const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'failed');
  assert.match(run.error, /SLURM job 4242 ended CANCELLED before the run finished/);
  assert.ok(refreshed >= 2);
  // An ended job is not asked about again.
  fs.writeFileSync(path.join(state, 'final'), 'COMPLETED\n');
  await watcher.poll();
  assert.equal(readSlurmJob(dir)?.state, 'CANCELLED');
  watcher.dispose();
});

test('a job that completes after train.py wrote completed leaves run.json alone; sbatch refusing is reported with its words', async () => {
  process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
  const dir = runFolder('r2', 'completed');
  fs.writeFileSync(path.join(dir, SLURM_JOB_FILE), JSON.stringify({ jobId: '4242', submittedAt: 't', state: 'RUNNING' }));
  fs.writeFileSync(path.join(state, 'final'), 'COMPLETED\n');
  await new SlurmWatcher(owner, { list: () => [{ id: 'r2', dir }], refresh: async () => undefined } as never).poll();
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).status, 'completed');
  assert.equal(readSlurmJob(dir)?.state, 'COMPLETED');
  script('sbatch', 'echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1');
  await assert.rejects(submitSlurmJob(owner, dir), /Invalid partition name specified/);
});
