// SFT and DPO on the real engine with a tiny Llama the test writes (byte-level tokenizer, ChatML-like
// template): overfitting, completion-only masking, DPO's ln 2 start and reward accuracy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, type LoadedModel } from '../../../src/trainer/engine';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { RunConfig, type RunConfigInput } from '../../../src/core/runConfig';
import { runTraining } from '../../../src/trainer/train/runTraining';
import { loadEngineModel } from '../../../src/trainer/train/engineLoader';
import { readMetrics } from '../../../src/core/node/runFolderReader';
import { tokenizeSft } from '../../../src/trainer/prompt/renderRecord';
import { dpoRecord, sftRecord } from './mockModel';
import { padBatch } from '../../../src/trainer/train/batching';
import { listCheckpoints, loadCheckpoint } from '../../../src/trainer/train/checkpoint';
import { sftLoss } from '../../../src/trainer/train/losses';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-engine-train-'));
const modelDir = path.join(tmp, 'model');
let backend: Awaited<ReturnType<typeof initBackend>>;

before(async () => {
  backend = await initBackend('wasm');
  await writeTinyModel(modelDir, { hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, seed: 3 });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeJsonl(name: string, rows: unknown[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

function train(over: Partial<RunConfigInput>, out: string, extra: { resume?: boolean; stopAt?: number } = {}) {
  let step = 0;
  return runTraining({
    config: RunConfig.parse({ method: 'sft', model: modelDir, data: '', batchSize: 8, lr: 1e-2, scheduler: 'constant', maxLength: 64, lora: { r: 8, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }, ...over }),
    outDir: path.join(tmp, out),
    resume: extra.resume ?? false,
    backend,
    loadModel: loadEngineModel,
    onEvent: (e) => {
      if (e.type === 'metrics') step = e.record.step;
    },
    shouldStop: () => extra.stopAt !== undefined && step >= extra.stopAt,
  });
}

const trainLosses = (out: string) => readMetrics(path.join(tmp, out)).records.filter((r) => typeof r.loss === 'number').map((r) => r.loss as number);

test('SFT overfits a 16-example set: loss falls by more than 70%', async () => {
  const rows = Array.from({ length: 16 }, (_, i) => ({ prompt: `Case ${i % 8}:`, completion: i % 2 ? ' admit' : ' home' }));
  const r = await train({ data: writeJsonl('overfit.jsonl', rows), steps: 40 }, 'overfit');
  assert.equal(r.status, 'completed', r.error);
  const losses = trainLosses('overfit');
  const first = losses[0];
  const last = Math.min(...losses.slice(-3));
  assert.ok(last < 0.3 * first, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
});

test('masking: changing only the prompt tokens\' targets does not change the SFT loss', async () => {
  const m: LoadedModel = await loadModel(modelDir);
  try {
    m.model.lora.attach({ r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 1);
    const ex = tokenizeSft(sftRecord({ prompt: 'Triage note: fever.', completion: ' urgent' }), m.tokenizer, m.chatTemplate, 64);
    const firstTrained = ex.lossMask.indexOf(1);
    assert.deepEqual(m.tokenizer.decode(ex.ids.slice(firstTrained), { skipSpecialTokens: true }), ' urgent', 'loss starts exactly at the completion');
    const batch = padBatch([ex], m.tokenizer.padId);
    const ids = tf.tensor2d(batch.ids, [1, batch.cols], 'int32');
    const mask = tf.tensor2d(batch.lossMask, [1, batch.cols]);
    const lp = m.model.tokenLogprobs(ids, tf.tensor2d(batch.attention, [1, batch.cols]));
    // Replace every prompt position's target log-prob by something else: the loss must not move.
    const noise = tf.randomUniform([1, batch.cols], -5, 0, 'float32', 7).mul(tf.scalar(1).sub(mask));
    const perturbed = lp.mul(mask).add(noise) as tf.Tensor2D;
    const a = sftLoss(lp, mask).dataSync()[0];
    const b = sftLoss(perturbed, mask).dataSync()[0];
    assert.equal(a, b);
    assert.ok(a > 0);
    // And a different prompt target changes the full-sequence loss (the test can fail).
    const all = tf.onesLike(mask).as2D(1, batch.cols);
    assert.notEqual(sftLoss(lp, all).dataSync()[0], sftLoss(perturbed, all).dataSync()[0]);
  } finally {
    m.model.dispose();
  }
});

test('DPO on the engine: step-0 loss = ln 2 and reward accuracy ≥ 0.9 after a few dozen steps', async () => {
  const rows = Array.from({ length: 16 }, (_, i) => ({ prompt: `Note ${i}: chest pain. Admit?`, chosen: ' yes', rejected: ' no' }));
  const r = await train({ method: 'dpo', data: writeJsonl('dpo.jsonl', rows), steps: 30, beta: 0.1, lr: 1e-2 }, 'dpo');
  assert.equal(r.status, 'completed', r.error);
  const recs = readMetrics(path.join(tmp, 'dpo')).records.filter((x) => typeof x.loss === 'number');
  assert.ok(Math.abs((recs[0].loss as number) - Math.LN2) < 1e-4, `step-0 loss ${recs[0].loss}`);
  const acc = recs.slice(-3).map((x) => x['rewards/accuracies'] as number);
  assert.ok(Math.min(...acc) >= 0.9, `reward accuracies ${acc.join(', ')}`);
});

test('resume on the engine is exact: 20 straight steps equal 10 + resume 10 to 1e-6 (adapter and optimizer)', async () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ prompt: `Note ${i}:`, completion: i % 3 ? ' stable' : ' unstable' }));
  const cfg = { data: writeJsonl('resume.jsonl', rows), steps: 20, batchSize: 4, gradAccum: 2, warmupSteps: 2, scheduler: 'cosine' as const, weightDecay: 0.01, lr: 5e-3 };
  assert.equal((await train(cfg, 'straight')).status, 'completed');
  assert.equal((await train(cfg, 'split', { stopAt: 10 })).status, 'cancelled');
  assert.deepEqual(listCheckpoints(path.join(tmp, 'split')), [10]);
  assert.equal((await train(cfg, 'split', { resume: true })).status, 'completed');
  const a = loadCheckpoint(path.join(tmp, 'straight'), 20);
  const b = loadCheckpoint(path.join(tmp, 'split'), 20);
  let max = 0;
  let moved = 0;
  for (const [name, x] of a.adapter) {
    const y = b.adapter.get(name);
    assert.ok(y, `adapter tensor ${name} in both`);
    x.forEach((v, i) => {
      max = Math.max(max, Math.abs(v - y[i]));
      moved = Math.max(moved, Math.abs(v));
    });
  }
  a.optimizer.m.forEach((x, k) => x.forEach((v, i) => (max = Math.max(max, Math.abs(v - b.optimizer.m[k][i])))));
  assert.ok(max <= 1e-6, `max |Δ| ${max}`);
  assert.ok(moved > 0);
  assert.deepEqual(a.position, b.position);
});

test('DPO after SFT on the engine: the reference is the SFT model (not the raw base), step-0 loss ln 2', async () => {
  const sftRows = Array.from({ length: 8 }, (_, i) => ({ prompt: `Note ${i}: chest pain. Admit?`, completion: i % 2 ? ' yes' : ' no' }));
  assert.equal((await train({ data: writeJsonl('sft-first.jsonl', sftRows), steps: 10 }, 'sft-first')).status, 'completed');
  const adapter = path.join(tmp, 'sft-first', 'adapter');
  const pairs = Array.from({ length: 8 }, (_, i) => ({ prompt: `Note ${i}: chest pain. Admit?`, chosen: ' yes', rejected: ' no' }));
  const r = await train({ method: 'dpo', data: writeJsonl('dpo-after.jsonl', pairs), steps: 2, adapter }, 'dpo-after');
  assert.equal(r.status, 'completed', r.error);
  const recs = readMetrics(path.join(tmp, 'dpo-after')).records.filter((x) => typeof x.loss === 'number');
  assert.ok(Math.abs((recs[0].loss as number) - Math.LN2) < 1e-4, `step-0 loss ${recs[0].loss}`);
  const cacheDir = path.join(tmp, 'dpo-after', 'reference-logps');
  const cached = JSON.parse(fs.readFileSync(path.join(cacheDir, fs.readdirSync(cacheDir)[0]), 'utf8')) as { chosen: number[]; rejected: number[] };
  // Independent path: the SFT adapter loaded as an ordinary (enabled) adapter rather than folded.
  const { tokenizeDpo } = await import('../../../src/trainer/prompt/renderRecord');
  const { sequenceLogps } = await import('../../../src/trainer/train/losses');
  const m = await loadModel(modelDir);
  try {
    await m.model.lora.loadTrainable(adapter);
    const seqLogp = (enabled: boolean) => {
      m.model.lora.setEnabled(enabled);
      return pairs.map((p) => {
        const ex = tokenizeDpo(dpoRecord(p), m.tokenizer, m.chatTemplate, 64).chosen;
        return tf.tidy(() => sequenceLogps(m.model.tokenLogprobs(tf.tensor2d([ex.ids], undefined, 'int32')), tf.tensor2d([ex.lossMask])).dataSync()[0]);
      });
    };
    const sftModel = seqLogp(true);
    const base = seqLogp(false);
    cached.chosen.forEach((v, i) => assert.ok(Math.abs(v - sftModel[i]) < 1e-3, `reference ${v} vs SFT model ${sftModel[i]}`));
    assert.ok(cached.chosen.some((v, i) => Math.abs(v - base[i]) > 1e-2), 'reference differs from the raw base');
  } finally {
    m.model.dispose();
  }
});

test('DPO from an SFT adapter writes adapter/ that applies to the base alone: the policy it trained, not the base', async () => {
  // Uses the run of the test above: SFT adapter folded, a DPO adapter trained on top for 2 steps.
  const run = path.join(tmp, 'dpo-after');
  const record = JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8')) as { adapterStackedOn?: string };
  assert.equal(record.adapterStackedOn, path.join(tmp, 'sft-first', 'adapter'), 'run.json records the lineage');
  const { readPeftAdapter } = await import('../../../src/trainer/engine/peft');
  const own = loadCheckpoint(run, listCheckpoints(run).at(-1)!).adapter;
  assert.equal(readPeftAdapter(path.join(run, 'adapter')).spec.r, readPeftAdapter(path.join(tmp, 'sft-first', 'adapter')).spec.r + 8, 'rank r_sft + r_dpo');
  const ids = tf.tensor2d([[1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 60]], undefined, 'int32');
  const logps = async (setup: (m: LoadedModel) => Promise<void>) => {
    const m = await loadModel(modelDir);
    try {
      await setup(m);
      return Array.from(tf.tidy(() => m.model.tokenLogprobs(ids).dataSync()));
    } finally {
      m.model.dispose();
    }
  };
  // The policy as the DPO run trained it: SFT folded into the base, the DPO run's own adapter on top.
  const policy = await logps(async (m) => {
    await m.model.lora.fold(path.join(tmp, 'sft-first', 'adapter'));
    m.model.lora.attach({ r: 8, alpha: 16, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], useRslora: false }, 0);
    m.model.lora.setState(own);
  });
  const stacked = await logps(async (m) => void (await m.model.lora.loadTrainable(path.join(run, 'adapter'))));
  const base = await logps(async () => {});
  const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  assert.ok(maxDiff(stacked, policy) < 1e-4, `adapter/ on the base alone = the trained policy (max diff ${maxDiff(stacked, policy)})`);
  assert.ok(maxDiff(stacked, base) > 1e-2, `and differs from the base (max diff ${maxDiff(stacked, base)})`);
});
