// Training mechanics on a tiny stand-in model: the run folder contract, exact resume, cancel, the NaN
// guard, and DPO's reference handling. The same behaviours on the real engine are in engineTrain.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunConfig, type RunConfigInput } from '../../../src/core/runConfig';
import { runTraining, type RunEvent } from '../../../src/trainer/train/runTraining';
import { readMetrics, readRunRecord } from '../../../src/core/node/runFolderReader';
import { listCheckpoints } from '../../../src/trainer/train/checkpoint';
import { REF_CACHE_DIR } from '../../../src/trainer/train/referenceLogps';
import { mockRunFolder, MockModel, byteTokenizer, chatml, dpoRecord } from './mockModel';

const { tmp, modelDir, writeJsonl } = mockRunFolder('cft-train-');

const sftRows = Array.from({ length: 16 }, (_, i) => ({ prompt: `Q${i % 4}: triage?`, completion: i % 2 ? ' urgent' : ' routine' }));
const dpoRows = Array.from({ length: 16 }, (_, i) => ({ prompt: `Note ${i}: chest pain. Urgent?`, chosen: ' yes', rejected: ' no' }));

function config(over: Partial<RunConfigInput>): RunConfig {
  return RunConfig.parse({ method: 'sft', model: modelDir, data: writeJsonl('sft.jsonl', sftRows), batchSize: 4, lr: 0.05, scheduler: 'constant', ...over });
}

const models: MockModel[] = [];
async function run(cfg: RunConfig, outDir: string, extra: { resume?: boolean; stopAtStep?: number; poisonAfter?: number; events?: RunEvent[] } = {}) {
  let step = 0;
  const result = await runTraining({
    config: cfg,
    outDir,
    resume: extra.resume ?? false,
    backend: 'cpu',
    loadModel: async () => {
      const model = new MockModel(7);
      if (extra.poisonAfter !== undefined) model.poisonAfter = extra.poisonAfter;
      models.push(model);
      return { model, tokenizer: byteTokenizer, chatTemplate: chatml, dispose: () => undefined };
    },
    onEvent: (e) => {
      extra.events?.push(e);
      if (e.type === 'metrics' && typeof e.record.loss === 'number') step = e.record.step;
    },
    shouldStop: () => extra.stopAtStep !== undefined && step >= extra.stopAtStep,
  });
  return { result, model: models[models.length - 1] };
}

function adapterOf(m: MockModel): Float32Array[] {
  return m.lora.trainableVariables().map((v) => (v.dataSync() as Float32Array).slice());
}

test('SFT run writes the run folder as contracted and the loss falls', async () => {
  const out = path.join(tmp, 'runs', 'sft-basic');
  const events: RunEvent[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const { result } = await run(config({ steps: 12, saveEvery: 5, evalData: writeJsonl('sft-eval.jsonl', sftRows.slice(0, 5)), evalEvery: 6 }), out, { events });
  // Only the stand-in model's own four tensors remain: no tensor leaks per step.
  assert.equal(tf.memory().numTensors - tensorsBefore, 4);
  assert.equal(result.status, 'completed', result.error);
  const rec = readRunRecord(out);
  assert.ok(rec.ok);
  assert.equal(rec.record.status, 'completed');
  assert.equal(rec.record.totalSteps, 12);
  assert.ok(!fs.existsSync(path.join(out, 'trainer.lock')), 'lock released');
  const { records } = readMetrics(out);
  const train = records.filter((r) => typeof r.loss === 'number');
  assert.deepEqual(train.map((r) => r.step), Array.from({ length: 12 }, (_, i) => i + 1));
  assert.deepEqual(records.filter((r) => typeof r.eval_loss === 'number').map((r) => r.step), [6, 12]);
  for (const k of ['loss', 'learning_rate', 'grad_norm', 'tokens_per_second', 'num_tokens', 'epoch']) assert.equal(typeof train[0][k], 'number', k);
  assert.ok((train[11].loss as number) < (train[0].loss as number) * 0.8, `loss ${train[0].loss} → ${train[11].loss}`);
  assert.ok(fs.existsSync(path.join(out, 'adapter', 'mock_adapter.json')));
  assert.deepEqual(listCheckpoints(out), [10, 12]);
  assert.match(fs.readFileSync(path.join(out, 'trainer.log'), 'utf8'), /Completed 12 steps/);
  assert.deepEqual(events.filter((e) => e.type === 'checkpoint').map((e) => (e as { step: number }).step), [5, 10, 12]);
});

test('resume is exact: 20 straight steps equal 10 + resume 10 (grad accumulation, cosine warmup, weight decay)', async () => {
  const cfg = config({ steps: 20, saveEvery: 10, gradAccum: 2, warmupSteps: 3, scheduler: 'cosine', weightDecay: 0.01, lr: 0.02 });
  const straight = await run(cfg, path.join(tmp, 'runs', 'straight'));
  assert.equal(straight.result.status, 'completed');
  const split = path.join(tmp, 'runs', 'split');
  const first = await run(cfg, split, { stopAtStep: 10 });
  assert.equal(first.result.status, 'cancelled');
  assert.equal(readRunRecord(split).ok && (readRunRecord(split) as { record: { status: string } }).record.status, 'cancelled');
  const second = await run(cfg, split, { resume: true });
  assert.equal(second.result.status, 'completed', second.result.error);
  const a = adapterOf(straight.model);
  const b = adapterOf(second.model);
  let maxDiff = 0;
  a.forEach((x, i) => x.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j])))));
  assert.ok(maxDiff <= 1e-6, `max |Δ| = ${maxDiff}`);
  assert.ok(a[1].some((v) => v !== 0), 'the adapter actually trained');
  const steps = readMetrics(split).records.filter((r) => typeof r.loss === 'number').map((r) => r.step);
  assert.deepEqual(steps, Array.from({ length: 20 }, (_, i) => i + 1), 'no duplicated or missing metrics after resume');
});

test('a run folder that already holds a run is refused without --resume', async () => {
  await assert.rejects(run(config({ steps: 1 }), path.join(tmp, 'runs', 'sft-basic')), /already holds a run/);
});

test('bad data is refused with file, line and field before anything is written', async () => {
  const bad = writeJsonl('bad.jsonl', [{ prompt: 'a', completion: 'b' }, { prompt: 'a', completion: 3 }]);
  const out = path.join(tmp, 'runs', 'bad');
  await assert.rejects(run(config({ data: bad, steps: 1 }), out), (e: Error) => /bad\.jsonl:2:\d+: field "completion"/.test(e.message));
  assert.ok(!fs.existsSync(out));
  const dpoInSft = writeJsonl('dpo-as-sft.jsonl', [{ prompt: 'p', chosen: 'a', rejected: 'b' }]);
  await assert.rejects(run(config({ data: dpoInSft, steps: 1 }), path.join(tmp, 'runs', 'bad2')), /dpo-as-sft\.jsonl:1:\d+: /);
});

test('NaN guard: a diverging loss stops the run as failed with the step, keeping the last checkpoint', async () => {
  const out = path.join(tmp, 'runs', 'nan');
  // One tokenLogprobs call per SFT step (grad accumulation 1, no eval): poisoned from step 4 on.
  const { result } = await run(config({ steps: 10, saveEvery: 2 }), out, { poisonAfter: 3 });
  assert.equal(result.status, 'failed');
  const rec = readRunRecord(out);
  assert.ok(rec.ok && rec.record.status === 'failed');
  assert.match(rec.record.error ?? '', /step 4: the loss became NaN/);
  assert.deepEqual(listCheckpoints(out), [2]);
  assert.equal(readMetrics(out).records.filter((r) => typeof r.loss === 'number').length, 3);
});

test('DPO: step-0 loss is ln 2, rewards separate, reference log-probs are cached and reused', async () => {
  const data = writeJsonl('dpo.jsonl', dpoRows);
  const out = path.join(tmp, 'runs', 'dpo');
  const cfg = config({ method: 'dpo', data, steps: 30, lr: 0.05, beta: 0.5 });
  const events: RunEvent[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const { result } = await run({ ...cfg, evalData: writeJsonl('dpo-eval.jsonl', dpoRows.slice(0, 6)), evalEvery: 15 }, out, { events });
  assert.equal(tf.memory().numTensors - tensorsBefore, 4, 'no tensor leaks');
  assert.equal(result.status, 'completed', result.error);
  const train = readMetrics(out).records.filter((r) => typeof r.loss === 'number');
  assert.ok(Math.abs((train[0].loss as number) - Math.LN2) < 1e-4, `step-0 loss ${train[0].loss}`);
  assert.equal(train[0]['rewards/accuracies'], 0);
  const last = train[train.length - 1];
  assert.ok((last['rewards/accuracies'] as number) >= 0.9, `accuracy ${last['rewards/accuracies']}`);
  assert.ok((last['rewards/margins'] as number) > 0);
  for (const k of ['rewards/chosen', 'rewards/rejected', 'logps/chosen', 'logps/rejected']) assert.equal(typeof last[k], 'number', k);
  assert.equal(fs.readdirSync(path.join(out, REF_CACHE_DIR)).length, 2, 'train and eval reference caches');
  const evalRecs = readMetrics(out).records.filter((r) => typeof r.eval_loss === 'number');
  assert.deepEqual(evalRecs.map((r) => r.step), [15, 30]);
  for (const k of ['eval_rewards/accuracies', 'eval_rewards/margins', 'eval_logps/chosen']) assert.equal(typeof evalRecs[1][k], 'number', k);
  const again: RunEvent[] = [];
  const second = await run({ ...cfg, steps: 1 }, path.join(tmp, 'runs', 'dpo-again'), { events: again });
  assert.equal(second.result.status, 'completed');
  assert.ok(again.some((e) => e.type === 'log' && /reused from/.test(e.message)), 'second run skipped the reference pass');
});

test('DPO: a cancel during the reference pass ends the run as cancelled before step 1; --resume then completes it', async () => {
  // Pairs of their own: a sibling run's cached reference log-probs would skip the pass this test cancels.
  const data = writeJsonl('dpo-cancel.jsonl', dpoRows.map((r) => ({ ...r, prompt: `${r.prompt} (cancel)` })));
  const out = path.join(tmp, 'runs', 'dpo-cancel-ref');
  const cfg = config({ method: 'dpo', data, steps: 3, lr: 0.05, beta: 0.5, batchSize: 2 });
  const events: RunEvent[] = [];
  const { result } = await run(cfg, out, { stopAtStep: 0, events });
  assert.equal(result.status, 'cancelled', result.error);
  assert.equal(result.step, 0);
  assert.ok(events.some((e) => e.type === 'log' && /reference log-probs/.test(e.message)), 'the log says where it stopped');
  const record = readRunRecord(out);
  assert.equal(record.ok && record.record.status, 'cancelled');
  assert.ok(!fs.existsSync(path.join(out, REF_CACHE_DIR)) || fs.readdirSync(path.join(out, REF_CACHE_DIR)).length === 0, 'no partial cache');
  const resumed = await run(cfg, out, { resume: true });
  assert.equal(resumed.result.status, 'completed', resumed.result.error);
});

test('DPO from an SFT adapter: the SFT adapter is folded into the reference, step-0 loss is ln 2', async () => {
  const sftOut = path.join(tmp, 'runs', 'sft-for-dpo');
  const sft = await run(config({ steps: 8 }), sftOut);
  assert.equal(sft.result.status, 'completed');
  const data = writeJsonl('dpo2.jsonl', dpoRows.slice(0, 8));
  const out = path.join(tmp, 'runs', 'dpo-from-sft');
  const { result } = await run(config({ method: 'dpo', data, steps: 2, adapter: path.join(sftOut, 'adapter') }), out);
  assert.equal(result.status, 'completed', result.error);
  const train = readMetrics(out).records.filter((r) => typeof r.loss === 'number');
  assert.ok(Math.abs((train[0].loss as number) - Math.LN2) < 1e-4, `step-0 loss ${train[0].loss}`);
  // The cached reference equals the SFT model's log-probs (adapter loaded and enabled), not the base's.
  const cache = JSON.parse(fs.readFileSync(path.join(out, REF_CACHE_DIR, fs.readdirSync(path.join(out, REF_CACHE_DIR))[0]), 'utf8')) as { chosen: number[] };
  const base = await run(config({ method: 'dpo', data, steps: 1 }), path.join(tmp, 'runs', 'dpo-from-base'));
  assert.equal(base.result.status, 'completed');
  const baseCache = JSON.parse(fs.readFileSync(path.join(tmp, 'runs', 'dpo-from-base', REF_CACHE_DIR, fs.readdirSync(path.join(tmp, 'runs', 'dpo-from-base', REF_CACHE_DIR))[0]), 'utf8')) as { chosen: number[] };
  const sftModel = new MockModel(7);
  await sftModel.lora.loadTrainable(path.join(sftOut, 'adapter'));
  const { computeReferenceLogps } = await import('../../../src/trainer/train/referenceLogps');
  const { tokenizeDpo } = await import('../../../src/trainer/prompt/renderRecord');
  const pairs = dpoRows.slice(0, 8).map((r) => tokenizeDpo(dpoRecord(r), byteTokenizer, chatml, 512));
  // computeReferenceLogps switches the trainable adapter off; fold it instead to evaluate "SFT model".
  const folded = new MockModel(7);
  await folded.lora.fold(path.join(sftOut, 'adapter'));
  const expected = (await computeReferenceLogps(folded, pairs, 4, byteTokenizer.padId))!;
  cache.chosen.forEach((v, i) => assert.ok(Math.abs(v - expected.chosen[i]) < 1e-3, `ref ${v} vs SFT model ${expected.chosen[i]}`));
  assert.ok(cache.chosen.some((v, i) => Math.abs(v - baseCache.chosen[i]) > 1e-3), 'reference differs from the raw base');
  sftModel.dispose();
  folded.dispose();
});

test('DPO split-pass gradient equals the gradient of the joint loss (all three loss types, and with the RPO term)', async () => {
  const { microGrads, microLoss } = await import('../../../src/trainer/train/trainLoop');
  const { tokenizeDpo } = await import('../../../src/trainer/prompt/renderRecord');
  const model = new MockModel(3);
  model.lora.attach({ r: 4, alpha: 8, dropout: 0, targets: ['q_proj'], useRslora: false }, 1);
  // Make the adapter non-zero so the policy differs from the reference.
  model.lora.B!.assign(tf.randomNormal(model.lora.B!.shape, 0, 0.1, 'float32', 5));
  const pairs = dpoRows.slice(0, 3).map((r, i) => tokenizeDpo(dpoRecord({ ...r, chosen: r.chosen.repeat(i + 1) }), byteTokenizer, chatml, 128));
  const ref = { chosen: Float64Array.from([-20, -30, -25]), rejected: Float64Array.from([-22, -18, -40]) };
  const vars = model.lora.trainableVariables();
  let plainSigmoid = NaN;
  for (const [loss, rpoAlpha] of [['sigmoid', 0], ['ipo', 0], ['hinge', 0], ['sigmoid', 0.5], ['ipo', 1]] as const) {
    const cfg = RunConfig.parse({ method: 'dpo', model: 'm', data: 'd', beta: 0.1, loss, rpoAlpha });
    const data = { method: 'dpo' as const, train: pairs, ref, eval: pairs, evalRef: ref };
    const split = microGrads(model, data, [0, 1, 2], cfg, vars, byteTokenizer.padId, 1);
    const joint = microLoss(model, data, [0, 1, 2], cfg, 'eval', true, byteTokenizer.padId);
    const { value, grads } = tf.variableGrads(() => joint.run().loss, vars);
    assert.ok(Math.abs(split.loss - value.dataSync()[0]) < 1e-5, `${loss}: loss ${split.loss} vs ${value.dataSync()[0]}`);
    if (loss === 'sigmoid' && rpoAlpha === 0) plainSigmoid = split.loss;
    if (loss === 'sigmoid' && rpoAlpha > 0) {
      // RPO adds alpha × the chosen answers' NLL averaged over all their tokens in the batch.
      // That is the SFT loss of the chosen sequences (token-averaged NLL over the batch).
      const sftData = { method: 'sft' as const, train: pairs.map((p) => p.chosen) };
      const sftCfg = RunConfig.parse({ method: 'sft', model: 'm', data: 'd' });
      const nll = tf.tidy(() => microLoss(model, sftData, [0, 1, 2], sftCfg, 'train', true, byteTokenizer.padId).run().loss.dataSync()[0]);
      assert.ok(Math.abs(split.loss - (plainSigmoid + rpoAlpha * nll)) < 1e-4, `rpo: ${split.loss} vs ${plainSigmoid} + ${rpoAlpha} × ${nll}`);
    }
    vars.forEach((v, i) => {
      const a = split.grads[i].dataSync();
      const b = grads[v.name].dataSync();
      let max = 0;
      let scaleMax = 0;
      a.forEach((x, j) => {
        max = Math.max(max, Math.abs(x - b[j]));
        scaleMax = Math.max(scaleMax, Math.abs(b[j]));
      });
      assert.ok(max <= 1e-5 + 1e-4 * scaleMax, `${loss} ${v.name}: max |Δgrad| ${max} (scale ${scaleMax})`);
      assert.ok(scaleMax > 0, 'gradient is not trivially zero');
    });
  }
  model.dispose();
});
