// clinical-ft handoff and the run config's engine field: what each engine refuses (by field name), how our
// fields map to TRL/transformers/PEFT arguments, and the job folder written. The generated keys are checked
// against the pinned Python libraries themselves in test/python (check_job_keys.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunConfig, type RunConfigInput } from '../../../src/core/runConfig';
import { engineRefusals } from '../../../src/core/engineSupport';
import { HandoffError, loraArgs, trainingArgs } from '../../../src/trainer/handoff/trlArgs';
import { accelerateConfig, toYaml } from '../../../src/trainer/handoff/jobFiles';
import { pinnedPackages, writeHandoffJob } from '../../../src/trainer/handoff/writeJob';
import { handoffCommand } from '../../../src/trainer/cli/handoffCommand';
import { runTraining, RefusedError } from '../../../src/trainer/train/runTraining';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-'));
}

function config(over: Partial<RunConfigInput> = {}): RunConfig {
  return RunConfig.parse({ method: 'sft', model: '/models/tiny', data: '/data/train.jsonl', steps: 10, ...over });
}

test('engine defaults to builtin; each engine refuses, by name, the field it cannot honour', () => {
  assert.equal(config().engine, 'builtin');
  assert.deepEqual(engineRefusals(config()), []);
  assert.deepEqual(engineRefusals(config({ engine: 'trl' })), []);
  assert.deepEqual(engineRefusals(config({ loadIn4bit: true })).map((r) => r.field), ['loadIn4bit']);
  assert.deepEqual(engineRefusals(config({ engine: 'trl', backend: 'wasm' })).map((r) => r.field), ['backend']);
  assert.deepEqual(engineRefusals(config({ engine: 'trl', method: 'dpo', adapter: '/a', loadIn4bit: true })).map((r) => r.field), ['loadIn4bit']);
});

test('the built-in engine refuses a TRL run config before writing anything', async () => {
  const out = path.join(tmpDir(), 'run');
  for (const over of [{ engine: 'trl' as const }, { loadIn4bit: true }]) {
    await assert.rejects(
      runTraining({ config: config(over), outDir: out, resume: false, backend: 'cpu', loadModel: () => Promise.reject(new Error('must not load')), shouldStop: () => false }),
      (e: unknown) => e instanceof RefusedError && /^(engine|loadIn4bit)/.test(e.message),
    );
    assert.equal(fs.existsSync(out), false);
  }
});

test('our fields map to TRL arguments of the same meaning; batchSize is split over processes', () => {
  const sft = trainingArgs(config({ engine: 'trl', batchSize: 8, gradAccum: 2, scheduler: 'constant', warmupSteps: 3, saveEvery: 5 }), { mode: 'cpu', numProcesses: 2 });
  assert.equal(sft.per_device_train_batch_size, 4);
  assert.equal(sft.gradient_accumulation_steps, 2);
  assert.equal(sft.lr_scheduler_type, 'constant_with_warmup');
  assert.equal(sft.warmup_steps, 3);
  assert.equal(sft.max_steps, 10);
  assert.equal(sft.num_train_epochs, undefined);
  assert.equal(sft.save_strategy, 'steps');
  assert.equal(sft.save_steps, 5);
  assert.equal(sft.eval_strategy, 'no');
  assert.equal(sft.report_to, 'none');
  assert.equal(sft.use_cpu, true);
  assert.equal(sft.completion_only_loss, true);
  assert.equal(sft.beta, undefined);
  const epochs = trainingArgs(config({ steps: undefined, epochs: 2 }), { mode: 'multi-gpu', numProcesses: 1 });
  assert.equal(epochs.num_train_epochs, 2);
  assert.equal(epochs.max_steps, undefined);
  assert.equal(epochs.bf16, true);
  const dpo = trainingArgs(config({ method: 'dpo', beta: 0.2, loss: 'ipo', rpoAlpha: 0.5, evalData: '/e.jsonl', evalEvery: 4 }), { mode: 'cpu', numProcesses: 1 });
  assert.deepEqual([dpo.beta, dpo.loss_type, dpo.rpo_alpha, dpo.eval_strategy, dpo.eval_steps], [0.2, 'ipo', 0.5, 'steps', 4]);
  assert.equal(trainingArgs(config({ method: 'dpo' }), { mode: 'cpu', numProcesses: 1 }).rpo_alpha, undefined);
  assert.throws(() => trainingArgs(config({ batchSize: 3 }), { mode: 'cpu', numProcesses: 2 }), (e: unknown) => e instanceof HandoffError && e.message.startsWith('batchSize:'));
  assert.deepEqual(loraArgs(config({ lora: { r: 16, alpha: 32, dropout: 0.05, targets: ['q_proj', 'o_proj'], useRslora: true } })), {
    r: 16, lora_alpha: 32, lora_dropout: 0.05, target_modules: ['q_proj', 'o_proj'], use_rslora: true, bias: 'none', task_type: 'CAUSAL_LM',
  });
});

test('YAML: floats in exponent form stay floats for PyYAML; nesting and lists', () => {
  assert.equal(toYaml({ eps: 1e-8, big: 1e21, lr: 0.0002, s: 'a: b', on: true }), 'eps: 1.0e-8\nbig: 1.0e+21\nlr: 0.0002\ns: "a: b"\non: true\n');
  assert.equal(toYaml({ a: { b: [1, 'x'] }, e: [] }), 'a:\n  b:\n    - 1\n    - "x"\ne: []\n');
});

test('multi-process CPU jobs use the torchrun launcher; DeepSpeed and FSDP get their sections', () => {
  assert.equal(accelerateConfig({ mode: 'cpu', numProcesses: 2 }).distributed_type, 'MULTI_GPU');
  assert.equal(accelerateConfig({ mode: 'cpu', numProcesses: 1 }).use_cpu, true);
  assert.equal((accelerateConfig({ mode: 'deepspeed-zero3', numProcesses: 4 }).deepspeed_config as Record<string, unknown>).zero_stage, 3);
  assert.equal((accelerateConfig({ mode: 'fsdp', numProcesses: 4 }).fsdp_config as Record<string, unknown>).fsdp_use_orig_params, true);
  // Several jobs on one machine: each lets accelerate pick a free rendezvous port (the python stage runs two at once).
  for (const mode of ['cpu', 'single-gpu', 'multi-gpu', 'deepspeed-zero3', 'fsdp'] as const) assert.equal(accelerateConfig({ mode, numProcesses: 2 }).main_process_port, 0, mode);
});

test('writeHandoffJob writes a self-contained job folder, and refuses QLoRA on CPU and a non-empty --out', async () => {
  const dir = tmpDir();
  const data = path.join(dir, 'train.jsonl');
  fs.writeFileSync(data, '{"prompt":"a","completion":"b"}\n');
  const out = path.join(dir, 'job');
  const { files } = await writeHandoffJob(config({ data }), out, { mode: 'cpu', numProcesses: 2, slurm: true });
  assert.deepEqual(files, ['README.md', 'accelerate.yaml', 'data', 'launch.sh', 'requirements.txt', 'slurm.sbatch', 'train.py', 'trl_config.yaml']);
  assert.equal(fs.readFileSync(path.join(out, 'data', 'train-train.jsonl'), 'utf8'), fs.readFileSync(data, 'utf8'));
  assert.ok(fs.statSync(path.join(out, 'launch.sh')).mode & 0o100);
  assert.match(fs.readFileSync(path.join(out, 'launch.sh'), 'utf8'), /launch --config_file accelerate\.yaml --num_processes 2 train\.py/);
  assert.match(fs.readFileSync(path.join(out, 'train.py'), 'utf8'), /class ClinicalFtCallback\(TrainerCallback\)/);
  assert.equal(fs.readFileSync(path.join(out, 'requirements.txt'), 'utf8'), `${pinnedPackages().join('\n')}\n`);
  assert.ok(pinnedPackages().every((p) => /^[A-Za-z0-9_.-]+==[0-9][^\s]*$/.test(p)) && pinnedPackages().some((p) => p.startsWith('trl==')));
  const yaml = fs.readFileSync(path.join(out, 'trl_config.yaml'), 'utf8');
  assert.match(yaml, /\n {2}engine: "trl"\n/);
  assert.match(yaml, /\n {2}per_device_train_batch_size: 2\n/);
  await assert.rejects(writeHandoffJob(config({ data }), out, { mode: 'cpu', numProcesses: 1, slurm: false }), /--out: .* not empty/);
  await assert.rejects(writeHandoffJob(config({ data, loadIn4bit: true }), path.join(dir, 'q'), { mode: 'cpu', numProcesses: 1, slurm: false }), /^HandoffError: loadIn4bit:|loadIn4bit: QLoRA/);
  assert.equal(fs.existsSync(path.join(dir, 'q')), false);
  const gpu = path.join(dir, 'gpu');
  await writeHandoffJob(config({ data, loadIn4bit: true }), gpu, { mode: 'single-gpu', numProcesses: 1, slurm: false });
  assert.match(fs.readFileSync(path.join(gpu, 'requirements.txt'), 'utf8'), /^bitsandbytes==/m);
});

test('clinical-ft handoff exits 2 naming the field the TRL engine cannot honour', async () => {
  const dir = tmpDir();
  const data = path.join(dir, 'train.jsonl');
  fs.writeFileSync(data, '{"prompt":"a","completion":"b"}\n');
  const file = path.join(dir, 'run.json');
  fs.writeFileSync(file, JSON.stringify({ method: 'sft', model: dir, data, backend: 'wasm' }));
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((s: string) => {
    err += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    assert.equal(await handoffCommand.run(['--config', file, '--out', path.join(dir, 'job')]), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(err, /backend: not supported by the TRL engine/);
  assert.equal(fs.existsSync(path.join(dir, 'job')), false);
});

test('the job pins are scripts/python-requirements.txt, and the venv lock installs exactly those versions', () => {
  const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
  const lines = (f: string) => fs.readFileSync(path.join(root, 'scripts', f), 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  assert.deepEqual(pinnedPackages(), lines('python-requirements.txt'));
  const lock = new Set(lines('python-lock.txt').map((l) => l.toLowerCase()));
  for (const pin of pinnedPackages()) assert.ok(lock.has(pin.toLowerCase()), `${pin} is not in python-lock.txt`);
});
