// Riverbend Health (fictional): a health system whose own triage policy differs from the generic guidance the
// triage SFT split teaches. Its clinicians' preference pairs encode the policy; the held-out eval measures
// adherence to it. The policy is written out in datasets-sample/policy/README.md and fixed before any run.
import { unique, TRIAGE, TRIAGE_SYSTEM, GREETING, SIGNOFF, triageAnswer } from './tasks.mjs';

const DRUGS = ['lisinopril', 'metformin', 'atorvastatin', 'levothyroxine', 'amlodipine', 'losartan', 'omeprazole', 'sertraline', 'simvastatin', 'hydrochlorothiazide'];
const TESTS = ['cholesterol', 'vitamin D', 'potassium', 'hemoglobin A1c', 'TSH'];
const STATES = ['slightly high', 'slightly low', 'borderline'];

// Policy 1: medication-refill requests go to Riverbend's nurse-run refill protocol (generic guidance: pharmacist).
// Policy 2: questions about a mildly abnormal result go to the results nurse line (generic guidance: physician).
// Urgency is unchanged (routine) in both. The first template of each is the generic split's own wording.
const POLICY = [
  { kind: 'refill', u: 'routine', local: 'nurse', generic: 'pharmacist', m: [
    (r) => `Could you send a refill of my ${r.pick(DRUGS)}? I have about a week left.`,
    (r) => `I am almost out of my ${r.pick(DRUGS)}. Can you renew the prescription?`,
    (r) => `Please renew my ${r.pick(DRUGS)} prescription, the pharmacy says it has no refills left.`,
  ] },
  { kind: 'lab', u: 'routine', local: 'nurse', generic: 'physician', m: [
    () => `I saw my cholesterol result online and it says slightly high. What does that mean for me?`,
    (r) => `My ${r.pick(TESTS)} result in the portal is marked ${r.pick(STATES)}. Should I be worried?`,
    (r) => `The portal shows my ${r.pick(TESTS)} as ${r.pick(STATES)}. What does that mean?`,
  ] },
];
// Generic-guidance cases the policy leaves alone (everything but the refill and cholesterol templates).
const firstChoice = { pick: (a) => a[0], int: (lo) => lo, chance: () => false };
const UNCHANGED = TRIAGE.filter((t) => !/refill|cholesterol/.test(t.m(firstChoice)));

const wrap = (r, text) => [r.pick(GREETING), text, r.pick(SIGNOFF)].filter(Boolean).join(' ');
const prompt = (msg) => [{ role: 'system', content: TRIAGE_SYSTEM }, { role: 'user', content: msg }];

/**
 * Riverbend's pairs: half policy pairs (the local answer chosen over the generic one the SFT split teaches),
 * half safety pairs on unchanged messages (the correct answer over an under- or over-triage), as its
 * clinicians would label them.
 */
export function riverbendPairs(r, n, seen) {
  const cases = unique(() => {
    if (r.chance(0.5)) {
      const t = r.pick(UNCHANGED);
      return { msg: wrap(r, t.m(r)), chosen: triageAnswer(t.u, t.p), rejected: triageAnswer(t.wrong[0], t.wrong[1]), kind: 'safety' };
    }
    const p = r.pick(POLICY);
    return { msg: wrap(r, r.pick(p.m)(r)), chosen: triageAnswer(p.u, p.local), rejected: triageAnswer(p.u, p.generic), kind: p.kind };
  }, (c) => c.msg, n, seen);
  return cases.map((c, i) => ({
    id: `riverbend-pair-${String(i + 1).padStart(4, '0')}`,
    prompt: prompt(c.msg),
    chosen: [{ role: 'assistant', content: c.chosen }],
    rejected: [{ role: 'assistant', content: c.rejected }],
    meta: { policy: c.kind },
  }));
}

/**
 * The held-out eval (SFT messages format, gold = Riverbend's answer): policy messages in new wordings only (so
 * none is a message of the generic SFT split), and unchanged controls that are not messages of any generic triage
 * file (`generic`), so "unchanged messages right" measures generalisation, not recall. The id names the kind,
 * which scoring reads.
 */
export function riverbendEval(r, counts, seen, generic) {
  const rows = [];
  for (const p of POLICY) {
    const made = unique(() => ({ msg: wrap(r, r.pick(p.m.slice(1))(r)) }), (c) => c.msg, counts.policy, seen);
    made.forEach((c, i) => rows.push({ id: `riverbend-eval-${p.kind}-${String(i + 1).padStart(3, '0')}`, messages: [...prompt(c.msg), { role: 'assistant', content: triageAnswer(p.u, p.local) }] }));
  }
  const notGeneric = new Set([...seen, ...generic]);
  const controls = unique(() => {
    const t = r.pick(UNCHANGED);
    return { msg: wrap(r, t.m(r)), t };
  }, (c) => c.msg, counts.control, notGeneric);
  controls.forEach((c, i) => rows.push({ id: `riverbend-eval-control-${String(i + 1).padStart(3, '0')}`, messages: [...prompt(c.msg), { role: 'assistant', content: triageAnswer(c.t.u, c.t.p) }] }));
  return rows;
}

/** `generic`: the user messages of the generic triage files, which no eval control may repeat. */
export function policyFiles(rng, generic) {
  const seen = new Set();
  return {
    'policy/riverbend.train.dpo.jsonl': riverbendPairs(rng(501), 240, seen),
    'policy/riverbend.eval.sft.jsonl': riverbendEval(rng(502), { policy: 24, control: 12 }, seen, generic),
  };
}
