// clinical-ft handoff for KTO, ORPO and SimPO: the TRL config each gets from our run-config fields, what it
// refuses by name, and the data rows it writes (the built-in engine's loader rules: labels applied, pairs unpaired).
// The generated keys are checked against the pinned TRL itself, and the jobs trained, in test/python/run.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunConfig, type RunConfigInput } from '../../../src/core/runConfig';
import { expectedMetricNames, HandoffError, trainingArgs, TRL_CLASSES } from '../../../src/trainer/handoff/trlArgs';
import { writeHandoffJob } from '../../../src/trainer/handoff/writeJob';
import { handoffCommand } from '../../../src/trainer/cli/handoffCommand';

const cpu2 = { mode: 'cpu', numProcesses: 2 } as const;

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-prefs-'));
}

function config(over: Partial<RunConfigInput>): RunConfig {
  return RunConfig.parse({ model: '/models/tiny', data: '/data/train.jsonl', steps: 10, engine: 'trl', ...over });
}

const readRows = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** Captures what a CLI command writes to stdout and stderr. */
async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const [w1, w2] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  let out = '';
  let err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await handoffCommand.run(args), out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

test('KTO maps beta, the desirable/undesirable weights and max length to KTOConfig; the KL estimate needs 2 examples per process', () => {
  const kto = trainingArgs(config({ method: 'kto', beta: 0.3, desirableWeight: 1.5, undesirableWeight: 0.7, maxLength: 101, batchSize: 4, lora: { dropout: 0.1 } }), cpu2);
  assert.deepEqual(
    [kto.beta, kto.loss_type, kto.desirable_weight, kto.undesirable_weight, kto.max_length, kto.max_prompt_length, kto.per_device_train_batch_size, kto.disable_dropout],
    [0.3, 'kto', 1.5, 0.7, 101, 50, 2, false],
  );
  assert.equal(kto.simpo_gamma, undefined);
  assert.throws(
    () => trainingArgs(config({ method: 'kto', batchSize: 2 }), cpu2),
    (e: unknown) => e instanceof HandoffError && /^batchSize: KTO .* at least 2 examples per process; 2 over 2 processes gives 1 \(use batchSize 4 or more\)/.test(e.message),
  );
  assert.equal(trainingArgs(config({ method: 'kto', batchSize: 2 }), { mode: 'single-gpu', numProcesses: 1 }).per_device_train_batch_size, 2);
  assert.deepEqual(TRL_CLASSES.kto, { trainer: 'KTOTrainer', config: 'KTOConfig' });
});

test('ORPO: beta is λ, one stage with no reference and no DPO loss keys; SimPO: CPOTrainer with loss_type simpo, no NLL term, gamma', () => {
  const orpo = trainingArgs(config({ method: 'orpo', beta: 0.25, rpoAlpha: 0.5 }), cpu2);
  assert.equal(orpo.beta, 0.25);
  for (const k of ['loss_type', 'rpo_alpha', 'precompute_ref_log_probs', 'desirable_weight', 'cpo_alpha']) assert.equal(orpo[k], undefined, k);
  assert.deepEqual(TRL_CLASSES.orpo, { trainer: 'ORPOTrainer', config: 'ORPOConfig' });
  const simpo = trainingArgs(config({ method: 'simpo', beta: 2.5, simpoGamma: 1.4 }), cpu2);
  assert.deepEqual([simpo.loss_type, simpo.cpo_alpha, simpo.simpo_gamma, simpo.beta, simpo.label_smoothing, simpo.max_prompt_length], ['simpo', 0, 1.4, 2.5, 0, 256]);
  assert.deepEqual(TRL_CLASSES.simpo, { trainer: 'CPOTrainer', config: 'CPOConfig' });
  // Only DPO keeps DPO's own keys.
  const dpo = trainingArgs(config({ method: 'dpo', loss: 'hinge' }), cpu2);
  assert.deepEqual([dpo.loss_type, dpo.max_prompt_length, dpo.disable_dropout], ['hinge', undefined, false]);
});

test("each method's job expects the built-in engine's metric names for it (kl; nll_loss and log odds)", () => {
  const names = (method: RunConfig['method']) => expectedMetricNames(config({ method }));
  assert.ok(names('kto').includes('kl') && names('kto').includes('rewards/margins') && !names('kto').includes('rewards/accuracies'));
  for (const n of ['nll_loss', 'log_odds_ratio', 'log_odds_chosen', 'rewards/accuracies']) assert.ok(names('orpo').includes(n), n);
  assert.ok(names('simpo').includes('rewards/accuracies') && !names('simpo').includes('log_odds_ratio'));
  for (const m of ['kto', 'orpo', 'simpo'] as const) assert.ok(names(m).includes('num_tokens') && names(m).includes('loss'), m);
});

const prefsLines = [
  { id: 1, prompt: 'p1', chosen: 'a1', rejected: 'b1', meta: { label: 'A' } },
  { id: 2, prompt: 'p2', chosen: 'a2', rejected: 'b2', meta: { label: 'B' } },
  { id: 3, prompt: 'p3', chosen: 'a3', rejected: 'b3', meta: { label: 'tie' } },
  { id: 4, prompt: 'p4', chosen: 'a4', rejected: 'b4', meta: { label: 'both_bad' } },
  { id: 5, prompt: 'p5', chosen: 'a5', rejected: 'b5' },
];

test("a labeled *.prefs.jsonl becomes the rows the built-in engine trains on: KTO's four label rules, ORPO/SimPO/DPO's preferred pairs", async () => {
  const dir = tmpDir();
  const data = path.join(dir, 'ward.prefs.jsonl');
  fs.writeFileSync(data, prefsLines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const kto = await writeHandoffJob(config({ method: 'kto', data }), path.join(dir, 'kto'), { ...cpu2, slurm: false });
  assert.deepEqual(readRows(path.join(dir, 'kto', 'data', 'train-ward.kto.jsonl')), [
    { prompt: 'p1', completion: 'a1', label: true },
    { prompt: 'p1', completion: 'b1', label: false },
    { prompt: 'p2', completion: 'b2', label: true },
    { prompt: 'p2', completion: 'a2', label: false },
    { prompt: 'p3', completion: 'a3', label: true },
    { prompt: 'p3', completion: 'b3', label: true },
    { prompt: 'p4', completion: 'a4', label: false },
    { prompt: 'p4', completion: 'b4', label: false },
  ]);
  assert.match(kto.notes.join('\n'), /4 desirable and 4 undesirable examples from 5 records .* skipped 1 unlabeled/);
  assert.match(fs.readFileSync(path.join(dir, 'kto', 'README.md'), 'utf8'), /KTOTrainer.*\n- .*4 desirable/);
  const yaml = fs.readFileSync(path.join(dir, 'kto', 'trl_config.yaml'), 'utf8');
  assert.match(yaml, /\ntrl:\n {2}trainer: "KTOTrainer"\n {2}config: "KTOConfig"\n/);
  assert.match(yaml, /\n {2}train: "data\/train-ward\.kto\.jsonl"\n/);
  for (const method of ['orpo', 'simpo', 'dpo'] as const) {
    const job = await writeHandoffJob(config({ method, data }), path.join(dir, method), { ...cpu2, slurm: false });
    assert.deepEqual(readRows(path.join(dir, method, 'data', 'train-ward.dpo.jsonl')), [
      { prompt: 'p1', chosen: 'a1', rejected: 'b1' },
      { prompt: 'p2', chosen: 'b2', rejected: 'a2' },
    ], method);
    assert.match(job.notes.join('\n'), /2 pairs from 5 records \(1 with B preferred, swapped\); excluded 1 ties, 1 both bad, 1 unlabeled/, method);
  }
});

test('KTO from a plain pair file: chosen desirable, rejected undesirable; unpaired {prompt, completion, label} files (and chat turns) pass as they are', async () => {
  const dir = tmpDir();
  const pairs = path.join(dir, 'pairs.jsonl');
  fs.writeFileSync(pairs, `${JSON.stringify({ prompt: 'p', chosen: 'c', rejected: 'r' })}\n`);
  await writeHandoffJob(config({ method: 'kto', data: pairs }), path.join(dir, 'a'), { ...cpu2, slurm: false });
  assert.deepEqual(readRows(path.join(dir, 'a', 'data', 'train-pairs.kto.jsonl')), [{ prompt: 'p', completion: 'c', label: true }, { prompt: 'p', completion: 'r', label: false }]);
  const unpaired = path.join(dir, 'ward.kto.jsonl');
  const chat = { prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'assistant', content: 'x' }], label: false };
  fs.writeFileSync(unpaired, [{ id: 'a', prompt: 'q', completion: 'y', label: true }, chat].map((r) => JSON.stringify(r)).join('\n') + '\n');
  const job = await writeHandoffJob(config({ method: 'kto', data: unpaired, evalData: unpaired }), path.join(dir, 'b'), { ...cpu2, slurm: false });
  assert.deepEqual(readRows(path.join(dir, 'b', 'data', 'train-ward.kto.jsonl')), [{ prompt: 'q', completion: 'y', label: true }, chat]);
  assert.ok(fs.existsSync(path.join(dir, 'b', 'data', 'eval-ward.kto.jsonl')));
  assert.deepEqual(job.notes, []);
});

test('bad preference data is refused naming file, line and field, and nothing is written; a SimPO config without beta gets 2.0', async () => {
  const dir = tmpDir();
  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, `${JSON.stringify({ prompt: 'p', chosen: 'c', rejected: 'r' })}\n${JSON.stringify({ prompt: 'p', chosen: 'c', rejected: 7 })}\n`);
  const out = path.join(dir, 'job');
  await assert.rejects(writeHandoffJob(config({ method: 'orpo', data: bad }), out, { ...cpu2, slurm: false }), (e: unknown) => e instanceof HandoffError && /bad\.jsonl:2:\d+: field "rejected"/.test(e.message));
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(dir), ['bad.jsonl']);
  const tools = path.join(dir, 'tools.jsonl');
  fs.writeFileSync(tools, `${JSON.stringify({ prompt: 'p', chosen: 'c', rejected: 'r', tools: [{ type: 'function', function: { name: 'f' } }] })}\n`);
  await assert.rejects(writeHandoffJob(config({ method: 'simpo', data: tools }), out, { ...cpu2, slurm: false }), /tools\.jsonl:1: field "tools"/);

  const pairs = path.join(dir, 'pairs.jsonl');
  fs.writeFileSync(pairs, `${JSON.stringify({ prompt: 'p', chosen: 'c', rejected: 'r' })}\n`);
  const file = path.join(dir, 'run.json');
  fs.writeFileSync(file, JSON.stringify({ method: 'simpo', model: dir, data: pairs, steps: 2 }));
  const r = await runCli(['--config', file, '--out', out, '--num-processes', '2']);
  assert.equal(r.code, 0, r.err);
  const yaml = fs.readFileSync(path.join(out, 'trl_config.yaml'), 'utf8');
  assert.match(yaml, /\n {2}beta: 2\n[\s\S]*\n {2}loss_type: "simpo"\n {2}cpo_alpha: 0\n {2}simpo_gamma: 0\.5\n/);
  assert.match(yaml, /\n {2}trainer: "CPOTrainer"\n/);
  fs.writeFileSync(file, JSON.stringify({ method: 'kto', model: dir, data: pairs, steps: 2, batchSize: 2 }));
  const refused = await runCli(['--config', file, '--out', path.join(dir, 'kto'), '--num-processes', '2']);
  assert.equal(refused.code, 2);
  assert.match(refused.err, /^clinical-ft handoff: batchSize: KTO/);
  assert.equal(fs.existsSync(path.join(dir, 'kto')), false);
});
