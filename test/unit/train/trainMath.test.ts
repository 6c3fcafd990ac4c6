// Pure pieces of training and evaluation: schedules, AdamW, clipping, RNG, DPO loss math, metrics.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { learningRateAt } from '../../../src/trainer/train/schedule';
import { AdamW, clipByGlobalNorm } from '../../../src/trainer/train/optimizer';
import { Rng } from '../../../src/trainer/train/rng';
import { dpoLoss, sftLoss } from '../../../src/trainer/train/losses';
import { BatchCursor, epochBatches, padBatch } from '../../../src/trainer/train/batching';
import { classificationReport, extractLabel, rougeL } from '../../../src/core/evalMetrics';

before(async () => {
  await tf.setBackend('cpu');
});

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('schedules follow transformers: warmup from 0, then constant / linear / cosine to 0', () => {
  const o = { lr: 1, warmupSteps: 4, totalSteps: 14 };
  close(learningRateAt(0, { ...o, scheduler: 'linear' }), 0);
  close(learningRateAt(2, { ...o, scheduler: 'linear' }), 0.5);
  close(learningRateAt(4, { ...o, scheduler: 'linear' }), 1);
  close(learningRateAt(9, { ...o, scheduler: 'linear' }), 0.5);
  close(learningRateAt(14, { ...o, scheduler: 'linear' }), 0);
  close(learningRateAt(9, { ...o, scheduler: 'cosine' }), 0.5);
  close(learningRateAt(14, { ...o, scheduler: 'cosine' }), 0);
  close(learningRateAt(13, { ...o, scheduler: 'constant' }), 1);
  close(learningRateAt(0, { lr: 2, warmupSteps: 0, totalSteps: 10, scheduler: 'linear' }), 2);
});

test('AdamW matches torch.optim.AdamW step by step', () => {
  const p = tf.variable(tf.tensor1d([1, -2]));
  const opt = new AdamW([p], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 });
  // Reference computed by hand with torch's formulas.
  let x = [1, -2];
  let m = [0, 0];
  let v = [0, 0];
  const grads = [[0.5, -1], [0.1, 0.3], [-0.2, 0.2]];
  grads.forEach((g, k) => {
    const t = k + 1;
    const lr = 0.01;
    opt.apply([tf.tensor1d(g)], lr);
    x = x.map((xi, i) => {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      const mh = m[i] / (1 - 0.9 ** t);
      const vh = v[i] / (1 - 0.999 ** t);
      return xi * (1 - lr * 0.1) - (lr * mh) / (Math.sqrt(vh) + 1e-8);
    });
    m = [...m];
    v = [...v];
  });
  const got = p.dataSync();
  close(got[0], x[0], 1e-6);
  close(got[1], x[1], 1e-6);
  const state = opt.getState();
  assert.equal(state.step, 3);
  const opt2 = new AdamW([p], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 });
  opt2.setState(state);
  assert.deepEqual(Array.from(opt2.getState().m[0]), Array.from(state.m[0]));
});

test('global-norm clipping scales all gradients together and reports the norm before clipping', () => {
  const { grads, norm } = clipByGlobalNorm([tf.tensor1d([3, 0]), tf.tensor1d([0, 4])], 1);
  close(norm, 5);
  close(grads[0].dataSync()[0], 3 / (5 + 1e-6), 1e-6);
  close(grads[1].dataSync()[1], 4 / (5 + 1e-6), 1e-6);
  const small = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 1);
  close(small.norm, 0.5);
  close(small.grads[0].dataSync()[1], 0.4);
});

test('RNG is deterministic and resumable from its state', () => {
  const a = new Rng(123);
  a.next();
  const b = new Rng(a.state);
  assert.deepEqual([a.next(), a.next()], [b.next(), b.next()]);
  assert.notDeepEqual(Rng.fromSeed(1).shuffle([1, 2, 3, 4, 5, 6, 7, 8]), Rng.fromSeed(2).shuffle([1, 2, 3, 4, 5, 6, 7, 8]));
});

test('length-bucketed batches cover every example once per epoch, deterministic by seed', () => {
  const lengths = Array.from({ length: 50 }, (_, i) => (i * 37) % 23);
  const b1 = epochBatches(lengths, 4, 7, 0);
  assert.deepEqual(b1.flat().sort((x, y) => x - y), lengths.map((_, i) => i));
  assert.deepEqual(b1, epochBatches(lengths, 4, 7, 0));
  assert.notDeepEqual(b1, epochBatches(lengths, 4, 7, 1));
  const cursor = new BatchCursor(lengths, 4, 7);
  for (let i = 0; i < 13; i++) cursor.next();
  assert.deepEqual(cursor.position, { epoch: 0, batch: 13 });
  cursor.next();
  assert.deepEqual(cursor.position, { epoch: 1, batch: 1 });
  const padded = padBatch([{ ids: [1, 2, 3], lossMask: [0, 1, 1], truncated: false }, { ids: [4], lossMask: [0], truncated: false }], 9);
  assert.deepEqual(Array.from(padded.ids), [1, 2, 3, 4, 9, 9]);
  assert.deepEqual(Array.from(padded.attention), [1, 1, 1, 1, 0, 0]);
  assert.equal(padded.numTokens, 4);
});

test('SFT loss averages only masked tokens', () => {
  const lp = tf.tensor2d([[0, -1, -2], [0, -4, -8]]);
  const mask = tf.tensor2d([[0, 1, 1], [0, 0, 1]]);
  close(sftLoss(lp, mask).dataSync()[0], (1 + 2 + 8) / 3, 1e-6);
});

test('DPO losses: ln 2 at equal policy and reference; sigmoid, ipo and hinge values as TRL', () => {
  const z = tf.tensor1d([-3, -3]);
  const at0 = dpoLoss(z, z, z, z, 0.1, 'sigmoid');
  close(at0.loss.dataSync()[0], Math.LN2, 1e-6);
  const pc = tf.tensor1d([-1]);
  const pr = tf.tensor1d([-3]);
  const rc = tf.tensor1d([-2]);
  const rr = tf.tensor1d([-2]);
  // logits = (−1+2) − (−3+2) = 2
  close(dpoLoss(pc, pr, rc, rr, 0.5, 'sigmoid').loss.dataSync()[0], Math.log(1 + Math.exp(-1)), 1e-6);
  close(dpoLoss(pc, pr, rc, rr, 0.5, 'ipo').loss.dataSync()[0], (2 - 1) ** 2, 1e-6);
  close(dpoLoss(pc, pr, rc, rr, 0.25, 'hinge').loss.dataSync()[0], 0.5, 1e-6);
  const t = dpoLoss(pc, pr, rc, rr, 0.5, 'sigmoid');
  close(t.chosenRewards.dataSync()[0], 0.5);
  close(t.rejectedRewards.dataSync()[0], -0.5);
});

test('classification metrics match scikit-learn (accuracy, macro-F1, per-class P/R)', () => {
  const gold = ['a', 'a', 'b', 'b', 'c', 'c'];
  const pred = ['a', 'b', 'b', 'b', null, 'a'];
  const r = classificationReport(gold, pred);
  close(r.accuracy, 3 / 6);
  const a = r.perClass.find((c) => c.label === 'a')!;
  close(a.precision, 0.5);
  close(a.recall, 0.5);
  const b = r.perClass.find((c) => c.label === 'b')!;
  close(b.precision, 2 / 3);
  close(b.recall, 1);
  const c = r.perClass.find((x) => x.label === 'c')!;
  assert.equal(c.f1, 0);
  close(r.macroF1, (0.5 + 0.8 + 0) / 3);
  assert.equal(r.unparsed, 1);
});

test('ROUGE-L as rouge_score (LCS F-measure on lowercased alphanumeric tokens)', () => {
  const s = rougeL('The patient has a fever.', 'patient has fever today');
  // LCS = patient has fever (3); P = 3/4, R = 3/5
  close(s.precision, 0.75);
  close(s.recall, 0.6);
  close(s.fmeasure, (2 * 0.75 * 0.6) / 1.35);
  assert.equal(rougeL('', 'x').fmeasure, 0);
  assert.equal(rougeL('Same text', 'same TEXT!').fmeasure, 1);
});

test('label extraction: exact answer, earliest whole-word mention, longer label on ties', () => {
  const labels = ['urgent', 'not urgent', 'routine'];
  assert.equal(extractLabel(' Urgent.', labels), 'urgent');
  assert.equal(extractLabel('This is not urgent at all', labels), 'not urgent');
  assert.equal(extractLabel('routine, not urgent', labels), 'routine');
  assert.equal(extractLabel('emergent', labels), null);
  assert.equal(extractLabel('nonurgent', labels), null);
});
