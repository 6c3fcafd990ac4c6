// KTO, ORPO and SimPO on the tiny stand-in model: the losses against hand formulas, step-0 values, a short run
// whose rewards separate, exact resume, the split-pass gradient, KTO's data (KL rows, label mapping) and flags.
// TRL's own loss functions on the same log-probs: test/python/run.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunConfig, type RunConfigInput } from '../../../src/core/runConfig';
import { runTraining } from '../../../src/trainer/train/runTraining';
import { readMetrics } from '../../../src/core/node/runFolderReader';
import { ktoKl, ktoLoss, orpoLoss, simpoLoss } from '../../../src/trainer/train/preferenceLosses';
import { microGrads, microLoss } from '../../../src/trainer/train/trainLoop';
import { tokenizeDpo, tokenizeKto } from '../../../src/trainer/prompt/renderRecord';
import { loadRecords } from '../../../src/trainer/train/dataLoader';
import { configFromFlags } from '../../../src/trainer/train/configFromFlags';
import { chartsFor } from '../../../src/core/runs/chartSeries';
import { DatasetValidator } from '../../../src/core/datasets/validator';
import { mockRunFolder, MockModel, byteTokenizer, chatml, dpoRecord, sftRecord } from './mockModel';
import type { UnpairedRecord } from '../../../src/core/datasets/records';

const { tmp, modelDir, writeJsonl } = mockRunFolder('cft-prefs-');

const pairRows = Array.from({ length: 16 }, (_, i) => ({ prompt: `Note ${i}: chest pain. Urgent?`, chosen: ' yes', rejected: ' no' }));
const sameRows = pairRows.map((r) => ({ ...r, rejected: r.chosen }));
const ktoRows = Array.from({ length: 16 }, (_, i) => ({ prompt: `Note ${i >> 1}: chest pain. Urgent?`, completion: i % 2 ? ' no' : ' yes', label: i % 2 === 0 }));

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const close = (a: number, b: number, what: string, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('KTO, ORPO and SimPO losses equal their hand formulas (KTO paper eq. 7, ORPO eq. 4/7, SimPO)', () => {
  const pc = [-0.8, -1.2, -0.05];
  const pr = [-1.5, -0.9, -2.0];
  // ORPO: log odds = (c − r) − (log(1 − e^c) − log(1 − e^r)); term = −β·mean(log σ(log odds)).
  const beta = 0.1;
  const lo = pc.map((c, i) => c - pr[i] - (Math.log(1 - Math.exp(c)) - Math.log(1 - Math.exp(pr[i]))));
  const orpo = orpoLoss(tf.tensor1d(pc), tf.tensor1d(pr), beta);
  close(orpo.loss.dataSync()[0], -beta * (lo.map((x) => Math.log(sigmoid(x))).reduce((a, b) => a + b) / 3), 'orpo term');
  close(orpo.logged.log_odds_chosen.dataSync()[0], lo.reduce((a, b) => a + b) / 3, 'log_odds_chosen');
  // SimPO: −log σ(β(c − r) − γ).
  const simpo = simpoLoss(tf.tensor1d(pc), tf.tensor1d(pr), 2, 0.5);
  close(simpo.loss.dataSync()[0], pc.map((c, i) => -Math.log(sigmoid(2 * (c - pr[i]) - 0.5))).reduce((a, b) => a + b) / 3, 'simpo');
  close(simpo.chosenRewards.dataSync()[1], 2 * pc[1], 'simpo reward = β·avg logp');
  // KTO: z = max(0, mean(πKL − refKL)); desirable w_d(1 − σ(β(r − z))), undesirable w_u(1 − σ(β(z − r))).
  const z = ktoKl([-30, -25, -28], [-33, -24, -27]);
  close(z, 1 / 3, 'kl');
  assert.equal(ktoKl([-30], [-20]), 0, 'KL estimate is clamped at 0');
  const policy = [-12.5, -3.0, -20.0];
  const ref = [-14.0, -2.5, -18.0];
  const kto = ktoLoss(tf.tensor1d(policy), tf.tensor1d(ref), [true, true, false], z, 0.1, { desirable: 1, undesirable: 1.33 });
  const r = policy.map((p, i) => p - ref[i]);
  const hand = [1 - sigmoid(0.1 * (r[0] - z)), 1 - sigmoid(0.1 * (r[1] - z)), 1.33 * (1 - sigmoid(0.1 * (z - r[2])))];
  close(kto.loss.dataSync()[0], hand.reduce((a, b) => a + b) / 3, 'kto');
});

test('ORPO and SimPO split-pass gradient equals the gradient of the joint loss (ORPO with its full-sequence NLL)', () => {
  const model = new MockModel(3);
  model.lora.attach({ r: 4, alpha: 8, dropout: 0, targets: ['q_proj'], useRslora: false }, 1);
  model.lora.B!.assign(tf.randomNormal(model.lora.B!.shape, 0, 0.1, 'float32', 5));
  const pairs = pairRows.slice(0, 3).map((r, i) => tokenizeDpo(dpoRecord({ ...r, chosen: r.chosen.repeat(i + 1) }), byteTokenizer, chatml, 128));
  const vars = model.lora.trainableVariables();
  for (const method of ['orpo', 'simpo'] as const) {
    const cfg = RunConfig.parse({ method, model: 'm', data: 'd', beta: method === 'simpo' ? 2 : 0.1 });
    const data = { method: 'dpo' as const, train: pairs, eval: pairs };
    const split = microGrads(model, data, [0, 1, 2], cfg, vars, byteTokenizer.padId, 1);
    const joint = microLoss(model, data, [0, 1, 2], cfg, 'eval', true, byteTokenizer.padId);
    const { value, grads } = tf.variableGrads(() => joint.run().loss, vars);
    close(split.loss, value.dataSync()[0], `${method} loss`);
    vars.forEach((v, i) => {
      const a = split.grads[i].dataSync();
      const b = grads[v.name].dataSync();
      let max = 0;
      let scale = 0;
      a.forEach((x, j) => {
        max = Math.max(max, Math.abs(x - b[j]));
        scale = Math.max(scale, Math.abs(b[j]));
      });
      assert.ok(max <= 1e-5 + 1e-4 * scale && scale > 0, `${method} ${v.name}: max |Δgrad| ${max} (scale ${scale})`);
    });
    if (method === 'orpo') assert.equal(typeof split.prefs?.logged.nll_loss, 'number', 'ORPO logs nll_loss');
  }
  model.dispose();
});

function config(over: Partial<RunConfigInput>): RunConfig {
  return RunConfig.parse({ method: 'orpo', model: modelDir, data: writeJsonl('pairs.jsonl', pairRows), batchSize: 4, lr: 0.05, scheduler: 'constant', ...over });
}

const models: MockModel[] = [];
async function run(cfg: RunConfig, outDir: string, extra: { resume?: boolean; stopAtStep?: number } = {}) {
  let step = 0;
  const result = await runTraining({
    config: cfg,
    outDir,
    resume: extra.resume ?? false,
    backend: 'cpu',
    loadModel: async () => {
      const model = new MockModel(7);
      models.push(model);
      return { model, tokenizer: byteTokenizer, chatTemplate: chatml, dispose: () => undefined };
    },
    onEvent: (e) => {
      if (e.type === 'metrics' && typeof e.record.loss === 'number') step = e.record.step;
    },
    shouldStop: () => extra.stopAtStep !== undefined && step >= extra.stopAtStep,
  });
  assert.notEqual(result.status, 'failed', result.error);
  return { result, model: models[models.length - 1] };
}
const trainLines = (dir: string) => readMetrics(dir).records.filter((r) => typeof r.loss === 'number');

test('ORPO step 1 on identical sides: log odds 0, loss = nll_loss + β·ln 2; SimPO: loss = ln(1 + e^γ) (β 2.0, γ 0.5)', async () => {
  const data = writeJsonl('same.jsonl', sameRows);
  const orpoDir = path.join(tmp, 'runs', 'orpo-same');
  await run(config({ data, steps: 1, beta: 0.1 }), orpoDir);
  const o = trainLines(orpoDir)[0];
  close(o.log_odds_chosen as number, 0, 'log_odds_chosen');
  close(o.log_odds_ratio as number, -Math.LN2, 'log_odds_ratio');
  close(o.loss as number, (o.nll_loss as number) + 0.1 * Math.LN2, 'orpo loss');
  assert.ok((o.nll_loss as number) > 0);
  const simpoDir = path.join(tmp, 'runs', 'simpo-same');
  await run(RunConfig.parse({ ...configFromFlags({ method: 'simpo', model: modelDir, data, steps: '1', 'batch-size': '4' }) }), simpoDir);
  const s = trainLines(simpoDir)[0];
  close(s.loss as number, Math.log(1 + Math.exp(0.5)), 'simpo loss');
  assert.equal(s['rewards/accuracies'], 0);
});

test('KTO step 1: policy = reference, so the KL estimate and rewards are 0 and the loss is 1 − σ(0) = 0.5', async () => {
  const dir = path.join(tmp, 'runs', 'kto-step1');
  await run(config({ method: 'kto', data: writeJsonl('kto.jsonl', ktoRows), steps: 1 }), dir);
  const k = trainLines(dir)[0];
  close(k.loss as number, 0.5, 'kto loss');
  assert.equal(k.kl, 0);
  assert.equal(k['rewards/chosen'], 0);
  assert.equal(k['rewards/margins'], 0);
  for (const n of ['logps/chosen', 'logps/rejected', 'rewards/rejected']) assert.equal(typeof k[n], 'number', n);
  assert.equal(k['rewards/accuracies'], undefined, 'KTOTrainer logs no reward accuracy');
});

for (const method of ['kto', 'orpo', 'simpo'] as const) {
  const data = () => (method === 'kto' ? writeJsonl('kto.jsonl', ktoRows) : writeJsonl('pairs.jsonl', pairRows));
  const beta = method === 'simpo' ? 2 : method === 'kto' ? 0.5 : 0.5;

  test(`${method.toUpperCase()}: a 30-step run separates chosen from rejected (eval metrics too)`, async () => {
    const dir = path.join(tmp, 'runs', `${method}-learn`);
    const file = data();
    await run(config({ method, data: file, evalData: file, evalEvery: 30, steps: 30, beta }), dir);
    const lines = trainLines(dir);
    const first = lines[0];
    const last = lines[lines.length - 1];
    if (method === 'kto') {
      assert.ok((last['rewards/margins'] as number) > 0.5 && (last['rewards/margins'] as number) > (first['rewards/margins'] as number), `margins ${first['rewards/margins']} → ${last['rewards/margins']}`);
    } else {
      assert.ok((first['rewards/accuracies'] as number) < 0.9, `first accuracy ${first['rewards/accuracies']}`);
      assert.ok((last['rewards/accuracies'] as number) >= 0.9, `accuracy ${first['rewards/accuracies']} → ${last['rewards/accuracies']}`);
    }
    const ev = readMetrics(dir).records.find((r) => typeof r.eval_loss === 'number');
    assert.ok(ev && typeof ev['eval_rewards/margins'] === 'number', 'eval line carries eval_rewards/margins');
    if (method === 'kto') assert.equal(typeof ev['eval_kl'], 'number');
    if (method === 'orpo') assert.equal(typeof ev['eval_nll_loss'], 'number');
  });

  test(`${method.toUpperCase()}: resume is exact (8 straight steps equal 4 + resume 4)`, async () => {
    const cfg = config({ method, data: data(), steps: 8, saveEvery: 4, gradAccum: 2, lr: 0.02, beta });
    const straight = await run(cfg, path.join(tmp, 'runs', `${method}-straight`));
    const split = path.join(tmp, 'runs', `${method}-split`);
    const first = await run(cfg, split, { stopAtStep: 4 });
    assert.equal(first.result.status, 'cancelled');
    const second = await run(cfg, split, { resume: true });
    assert.equal(second.result.status, 'completed');
    const a = straight.model.lora.trainableVariables().map((v) => v.dataSync());
    const b = second.model.lora.trainableVariables().map((v) => v.dataSync());
    let maxDiff = 0;
    a.forEach((x, i) => x.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j])))));
    assert.ok(maxDiff <= 1e-6, `max |Δ| = ${maxDiff}`);
    assert.ok(Array.from(a[1]).some((v) => v !== 0), 'the adapter trained');
    assert.deepEqual(trainLines(split).map((r) => r.step), Array.from({ length: 8 }, (_, i) => i + 1));
  });
}

test("KTO's KL rows: within each batch-sized chunk, example i pairs its prompt with the previous example's completion", () => {
  const records = ['a', 'b', 'c', 'd', 'e'].map((x) => sftRecord({ prompt: `P${x}`, completion: ` C${x}`, label: true }) as UnpairedRecord);
  const examples = tokenizeKto(records, byteTokenizer, undefined, 64, 2);
  const text = (ids: number[]) => byteTokenizer.decode(ids);
  assert.deepEqual(examples.map((e) => text(e.kl.ids)), ['Pa Cb', 'Pb Ca', 'Pc Cd', 'Pd Cc', 'Pe Ce']);
  assert.deepEqual(examples.map((e) => text(e.completion.ids)), ['Pa Ca', 'Pb Cb', 'Pc Cc', 'Pd Cd', 'Pe Ce']);
});

test('KTO data: labeled pairs map A/B to desirable + undesirable, tie to two desirable, both bad to two undesirable; plain pairs and unpaired files load; SFT refused', async () => {
  const prefs = writeJsonl('labels.prefs.jsonl', [
    { prompt: 'p1', chosen: ' A1', rejected: ' B1', meta: { label: 'A' } },
    { prompt: 'p2', chosen: ' A2', rejected: ' B2', meta: { label: 'B' } },
    { prompt: 'p3', chosen: ' A3', rejected: ' B3', meta: { label: 'tie' } },
    { prompt: 'p4', chosen: ' A4', rejected: ' B4', meta: { label: 'both_bad' } },
    { prompt: 'p5', chosen: ' A5', rejected: ' B5' },
  ]);
  const loaded = await loadRecords(prefs, 'kto');
  assert.equal(loaded.kind, 'kto');
  if (loaded.kind !== 'kto') return;
  assert.deepEqual(loaded.records.map((r) => `${r.record.completion as string}:${r.record.label}`), [' A1:true', ' B1:false', ' B2:true', ' A2:false', ' A3:true', ' B3:true', ' A4:false', ' B4:false']);
  assert.deepEqual(loaded.unpaired, { records: 5, desirable: 4, undesirable: 4, ties: 1, bothBad: 1, unlabeled: 1 });
  const plain = await loadRecords(writeJsonl('plain-pairs.jsonl', pairRows.slice(0, 2)), 'kto');
  assert.deepEqual(plain.records.map((r) => (r.record as UnpairedRecord).label), [true, false, true, false]);
  const unpaired = await loadRecords(writeJsonl('unpaired.jsonl', ktoRows), 'kto');
  assert.equal(unpaired.records.length, 16);
  await assert.rejects(loadRecords(writeJsonl('sft-for-kto.jsonl', [{ prompt: 'q', completion: ' a' }]), 'kto'), /sft-for-kto\.jsonl:1:\d+:.*KTO/);
  await assert.rejects(loadRecords(writeJsonl('kto-for-dpo.jsonl', ktoRows), 'dpo'), /kto-for-dpo\.jsonl:1:\d+:/);
});

test('validator --format kto takes unpaired records and pairs, and names the line of an SFT record', () => {
  const check = (lines: object[]) => {
    const v = new DatasetValidator({ format: 'kto', phi: false });
    lines.forEach((l, i) => v.line(i + 1, JSON.stringify(l)));
    return v.result();
  };
  assert.equal(check(ktoRows.slice(0, 3)).errors.length, 0);
  assert.equal(check(pairRows.slice(0, 3)).errors.length, 0);
  const bad = check([{ prompt: 'q', completion: ' a' }]);
  assert.equal(bad.errors[0]?.line, 1);
  assert.match(bad.errors[0]?.message ?? '', /KTO/);
});

test("flags: SimPO's beta defaults to 2.0 unless given; KTO weights and SimPO gamma parse; methods are named in errors", () => {
  const base = { model: modelDir, data: path.join(tmp, 'pairs.jsonl') };
  assert.equal(configFromFlags({ ...base, method: 'simpo' }).beta, 2);
  assert.equal(configFromFlags({ ...base, method: 'simpo', beta: '2.5', 'simpo-gamma': '1.2' }).simpoGamma, 1.2);
  assert.equal(configFromFlags({ ...base, method: 'simpo', beta: '2.5' }).beta, 2.5);
  assert.equal(configFromFlags({ ...base, method: 'orpo' }).beta, 0.1);
  const kto = configFromFlags({ ...base, method: 'kto', 'desirable-weight': '1.5', 'undesirable-weight': '0.7' });
  assert.deepEqual([kto.desirableWeight, kto.undesirableWeight], [1.5, 0.7]);
  assert.throws(() => configFromFlags({ ...base, method: 'ppo' }), /--method/);
});

test('dashboard charts follow the methods on screen: KL for KTO, odds ratio and NLL for ORPO, accuracies for paired methods only', () => {
  const ids = (m: string[]) => chartsFor(m).map((c) => c.id);
  assert.deepEqual(ids(['sft']), ['loss', 'lr', 'grad_norm', 'tps']);
  assert.ok(ids(['kto']).includes('kl') && !ids(['kto']).includes('accuracies') && ids(['kto']).includes('margins'));
  assert.ok(ids(['orpo']).includes('odds') && ids(['orpo']).includes('nll') && ids(['orpo']).includes('accuracies'));
  assert.ok(ids(['simpo']).includes('accuracies') && !ids(['simpo']).includes('kl'));
  assert.ok(ids(['dpo', 'kto']).includes('kl') && ids(['dpo', 'kto']).includes('accuracies'));
});
