// The built-in engine's KTO, ORPO and SimPO losses on the cases trl_preference_losses.py feeds TRL; run.mjs compares.
// Usage: node preferenceLossCases.js CASES_JSON (prints one JSON line shaped as the Python script's).
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ktoKl, ktoLoss, orpoLoss, simpoLoss } from '../../src/trainer/train/preferenceLosses';

interface Cases {
  kto: { beta: number; desirable_weight: number; undesirable_weight: number; policy_chosen: number[]; policy_rejected: number[]; policy_kl: number[]; ref_chosen: number[]; ref_rejected: number[]; ref_kl: number[] }[];
  orpo: { beta: number; nll: number; chosen: number[]; rejected: number[] }[];
  simpo: { beta: number; gamma: number; chosen: number[]; rejected: number[] }[];
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Cases;
  const arr = (t: tf.Tensor) => Array.from(t.dataSync());
  const out = {
    kto: cases.kto.map((c) => {
      const kl = ktoKl(c.policy_kl, c.ref_kl);
      const desirable = [...c.policy_chosen.map(() => true), ...c.policy_rejected.map(() => false)];
      const t = ktoLoss(tf.tensor1d([...c.policy_chosen, ...c.policy_rejected]), tf.tensor1d([...c.ref_chosen, ...c.ref_rejected]), desirable, kl, c.beta, { desirable: c.desirable_weight, undesirable: c.undesirable_weight });
      const rewards = arr(t.rewards);
      return { loss: t.loss.dataSync()[0], kl, chosen_rewards: rewards.slice(0, c.policy_chosen.length), rejected_rewards: rewards.slice(c.policy_chosen.length) };
    }),
    orpo: cases.orpo.map((c) => {
      const t = orpoLoss(tf.tensor1d(c.chosen), tf.tensor1d(c.rejected), c.beta);
      return { loss: c.nll + t.loss.dataSync()[0], log_odds_ratio: t.logged.log_odds_ratio.dataSync()[0], log_odds_chosen: t.logged.log_odds_chosen.dataSync()[0], chosen_rewards: arr(t.chosenRewards), rejected_rewards: arr(t.rejectedRewards) };
    }),
    simpo: cases.simpo.map((c) => {
      const t = simpoLoss(tf.tensor1d(c.chosen), tf.tensor1d(c.rejected), c.beta, c.gamma);
      return { loss: t.loss.dataSync()[0], chosen_rewards: arr(t.chosenRewards), rejected_rewards: arr(t.rejectedRewards) };
    }),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

void main();
