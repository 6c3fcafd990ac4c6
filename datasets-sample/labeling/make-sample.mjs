// Writes the synthetic preference-labeling samples (no real patients, no identifiers). Deterministic:
// `node datasets-sample/labeling/make-sample.mjs` reproduces the files byte for byte.
import fs from 'node:fs';
import path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);

const conditions = [
  ['community-acquired pneumonia', 'amoxicillin', 'finish the full antibiotic course', 'worsening shortness of breath or chest pain'],
  ['uncomplicated cystitis', 'nitrofurantoin', 'drink plenty of fluids', 'fever, flank pain or vomiting'],
  ['cellulitis of the lower leg', 'cefalexin', 'keep the leg raised when resting', 'spreading redness or fever'],
  ['asthma exacerbation', 'a five-day prednisolone course', 'use the preventer inhaler every day', 'needing the reliever more than every four hours'],
  ['heart failure admission', 'furosemide', 'weigh yourself every morning', 'weight gain of more than 2 kg in three days'],
  ['type 2 diabetes with new insulin', 'basal insulin', 'check blood glucose before breakfast', 'repeated readings below 4 mmol/L'],
  ['atrial fibrillation with new anticoagulant', 'apixaban', 'take it twice a day at the same times', 'black stools or unusual bleeding'],
  ['gastroenteritis', 'oral rehydration solution', 'take small frequent sips', 'no urine for twelve hours or blood in stool'],
  ['COPD exacerbation', 'a short steroid course', 'use the rescue pack only as planned', 'drowsiness or confusion'],
  ['deep vein thrombosis', 'rivaroxaban', 'keep walking as tolerated', 'sudden breathlessness or chest pain'],
];
const audiences = ['an adult patient', 'an older adult living alone', 'a carer', 'a patient with limited health literacy', 'a patient who prefers short answers', 'a family member'];

const good = ([cond, drug, habit, red]) =>
  `You were treated for ${cond}. Keep taking ${drug} exactly as prescribed and ${habit}. ` +
  `Seek urgent care straight away if you notice ${red}. Your GP will review you in one to two weeks; bring your medicines list.`;
const flawed = [
  ([cond, drug]) => `You had ${cond}. You can stop ${drug} as soon as you feel better. Come back if things get worse.`,
  ([cond, drug, habit]) => `Diagnosis: ${cond}. Continue ${drug}; ${habit}. Follow up as needed.`,
  ([cond, , , red]) => `Your ${cond} is resolved and no further treatment is required. Rest at home; ${red} is expected and not a concern.`,
  ([cond, drug, habit, red]) => `You were treated for ${cond}. Keep taking ${drug} and ${habit}. Seek urgent care if you notice ${red}.`,
];

function records(n, prefix) {
  return Array.from({ length: n }, (_, i) => {
    const c = conditions[i % conditions.length];
    const aud = audiences[Math.floor(i / conditions.length) % audiences.length];
    const better = good(c);
    const worse = flawed[i % flawed.length](c);
    // Which stored candidate is the better one alternates irregularly, as it would from a sampler.
    const swap = (i * 7) % 3 === 1;
    const prompt = i % 5 === 0
      ? [{ role: 'system', content: 'You write discharge advice for patients in plain language.' }, { role: 'user', content: `Write discharge advice for ${aud} after ${c[0]}.` }]
      : `Write discharge advice for ${aud} after ${c[0]}.`;
    const asTurns = (s) => (typeof prompt === 'string' ? s : [{ role: 'assistant', content: s }]);
    return { id: `${prefix}-${String(i + 1).padStart(3, '0')}`, prompt, chosen: asTurns(swap ? worse : better), rejected: asTurns(swap ? better : worse), _betterIsA: !swap };
  });
}

const line = ({ _betterIsA, ...r }) => JSON.stringify(r);
fs.writeFileSync(path.join(dir, 'discharge-advice.prefs.jsonl'), records(60, 'dc').map(line).join('\n') + '\n');

// Two annotators' labeled copies of the same 24 pairs, agreeing mostly: for the agreement and export demos.
const shared = records(24, 'ag');
const labelFor = (r, i, who) => {
  const best = r._betterIsA ? 'A' : 'B';
  if (who === 'annotator-b' && i % 6 === 2) return best === 'A' ? 'B' : 'A';
  if (i % 8 === 5) return who === 'annotator-a' ? 'tie' : best;
  if (i % 11 === 7) return 'both_bad';
  return best;
};
for (const who of ['annotator-a', 'annotator-b']) {
  const text = shared.map((r, i) => {
    const { _betterIsA, ...rest } = r;
    void _betterIsA;
    return JSON.stringify({ ...rest, meta: { annotator: who, label: labelFor(r, i, who), rationale: '', time: `2026-01-0${1 + (i % 9)}T09:00:00.000Z` } });
  });
  fs.writeFileSync(path.join(dir, `${who}.prefs.jsonl`), text.join('\n') + '\n');
}
console.log(`wrote samples to ${dir}`);
