// The four task families of the seed study, SFT train/eval splits plus DPO pairs whose rejected answer is
// plausible but clinically wrong (under-triage, anchoring on a distractor, a dropped or inverted medication change).
import { rng, list, cap } from './random.mjs';

/** n cases from make(), skipping any whose key was already produced (across train and eval via `seen`). */
export function unique(make, key, n, seen) {
  const out = [];
  for (let tries = 0; out.length < n; tries++) {
    if (tries > n * 50) throw new Error(`cannot make ${n} distinct cases`);
    const c = make();
    const k = key(c);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

const AGES = Array.from({ length: 70 }, (_, i) => i + 18);
const SEX = ['woman', 'man'];

// ---------------------------------------------------------------- UTI classification (prompt/completion)
const UTI_POS = [
  (r) => `reports burning with urination and urinary frequency for ${r.pick(['two', 'three', 'four'])} days. Urinalysis shows positive leukocyte esterase and nitrites. Started on nitrofurantoin.`,
  (r) => `presents with dysuria, urgency and suprapubic tenderness. Urine dipstick positive for nitrites; culture grew more than 100,000 colonies of E. coli. Treated for cystitis.`,
  (r) => `has fever ${r.pick(['38.6', '38.9', '39.2'])} C, right flank pain and costovertebral angle tenderness. Urinalysis with pyuria and bacteria. Diagnosed with pyelonephritis and started on ceftriaxone.`,
  (r) => `with an indwelling catheter developed cloudy urine, fever and new confusion. Urine culture positive for Klebsiella. Catheter-associated urinary tract infection; catheter exchanged and antibiotics started.`,
  (r) => `complains of frequent painful urination and blood in the urine since ${r.pick(['yesterday', 'the weekend', 'two days ago'])}. Dipstick positive for leukocytes and blood. Prescribed a short course of trimethoprim-sulfamethoxazole for cystitis.`,
  (r) => `pregnant at ${r.int(12, 30)} weeks, reports urgency and dysuria. Urine culture grew Enterococcus. Treated with amoxicillin for acute cystitis.`,
];
const UTI_NEG = [
  (r) => `reports vaginal itching and discharge without dysuria or frequency. Urinalysis negative. Wet mount consistent with candidiasis; treated with fluconazole.`,
  (r) => `presents with sudden left flank pain radiating to the groin. Urinalysis shows blood but no leukocytes or nitrites. CT confirms a ${r.int(3, 6)} mm ureteral stone without signs of infection.`,
  (r) => `has a productive cough, fever and crackles at the right base. Chest X-ray shows a lobar infiltrate. Urinalysis normal. Treated for community-acquired pneumonia.`,
  (r) => `routine urine culture before surgery grew bacteria, but the patient has no urinary symptoms and no fever. Asymptomatic bacteriuria; no antibiotics given.`,
  (r) => `reports chronic pelvic pain and urinary frequency for ${r.int(6, 18)} months with repeatedly negative urine cultures. Assessed as interstitial cystitis; referred to urology.`,
  (r) => `presents with nausea, vomiting and watery diarrhea after a family meal. Urinalysis unremarkable apart from high specific gravity. Managed as viral gastroenteritis with oral fluids.`,
  (r) => `with benign prostatic hyperplasia reports weak stream and nocturia without pain or fever. Urinalysis clean. Started on tamsulosin.`,
];

function uti(r, n, seen) {
  const cases = unique(() => {
    const yes = r.chance(0.45);
    return { yes, note: `${r.pick(AGES)}-year-old ${r.pick(SEX)} ${r.pick(yes ? UTI_POS : UTI_NEG)(r)}` };
  }, (c) => c.note, n, seen);
  return cases.map(({ yes, note }, i) => {
    return {
      id: `uti-${String(i + 1).padStart(4, '0')}`,
      prompt: `Does this clinical note describe a urinary tract infection? Answer yes or no.\n\nNote: ${cap(note)}\n\nAnswer:`,
      completion: yes ? ' yes' : ' no',
    };
  });
}

// ---------------------------------------------------------------- patient-message triage (messages)
export const TRIAGE_SYSTEM =
  'You triage patient portal messages for a primary care clinic. Reply with two lines: "Urgency: emergency, urgent or routine" and "Responder: physician, nurse, pharmacist or front desk".';
export const TRIAGE = [
  { u: 'emergency', p: 'physician', wrong: ['routine', 'nurse'], m: (r) => `I have had crushing chest pressure for ${r.pick(['twenty minutes', 'half an hour', 'an hour'])} and my left arm feels heavy. I am sweating a lot.` },
  { u: 'emergency', p: 'physician', wrong: ['routine', 'front desk'], m: (r) => `My ${r.pick(['husband', 'wife', 'father', 'mother'])} suddenly cannot lift one arm and the speech is slurred since ${r.pick(['this morning', 'ten minutes ago', 'lunch'])}.` },
  { u: 'emergency', p: 'physician', wrong: ['urgent', 'nurse'], m: () => `I am on chemotherapy and tonight my temperature is 38.7 and I have chills. Should I just take paracetamol?` },
  { u: 'emergency', p: 'physician', wrong: ['routine', 'pharmacist'], m: () => `My lips and tongue are swelling after the first dose of the new antibiotic and it is getting hard to breathe.` },
  { u: 'urgent', p: 'nurse', wrong: ['routine', 'front desk'], m: (r) => `My burning with urination started ${r.pick(['two', 'three'])} days ago and now I have a fever and pain in my back. What should I do?` },
  { u: 'urgent', p: 'nurse', wrong: ['routine', 'front desk'], m: () => `My ankle is still very swollen and I cannot put weight on it since I twisted it yesterday.` },
  { u: 'urgent', p: 'physician', wrong: ['routine', 'front desk'], m: (r) => `My blood sugar readings have been over ${r.pick(['300', '350', '400'])} for two days and I feel very thirsty and tired.` },
  { u: 'urgent', p: 'pharmacist', wrong: ['routine', 'front desk'], m: () => `I think I took my blood thinner twice this morning by mistake. I feel fine. Is that a problem?` },
  { u: 'routine', p: 'pharmacist', wrong: ['emergency', 'physician'], m: (r) => `Could you send a refill of my ${r.pick(['lisinopril', 'metformin', 'atorvastatin', 'levothyroxine'])}? I have about a week left.` },
  { u: 'routine', p: 'front desk', wrong: ['urgent', 'physician'], m: (r) => `I need to move my appointment on ${r.pick(['Monday', 'Tuesday', 'Thursday', 'Friday'])} to later in the month because of work.` },
  { u: 'routine', p: 'physician', wrong: ['emergency', 'front desk'], m: () => `I saw my cholesterol result online and it says slightly high. What does that mean for me?` },
  { u: 'routine', p: 'nurse', wrong: ['emergency', 'physician'], m: () => `I have had a mild runny nose and sneezing for two days but no fever. Anything I can take?` },
  { u: 'routine', p: 'pharmacist', wrong: ['urgent', 'front desk'], m: (r) => `Can I take ibuprofen together with my ${r.pick(['amlodipine', 'sertraline', 'metformin'])}?` },
];
export const GREETING = ['Hello,', 'Hi,', 'Good morning,', 'Hello care team,', ''];
export const SIGNOFF = ['Thank you.', 'Thanks.', 'Please advise.', ''];

function triageCase(r) {
  const t = r.pick(TRIAGE);
  const msg = [r.pick(GREETING), t.m(r), r.pick(SIGNOFF)].filter(Boolean).join(' ');
  return { t, msg };
}
export const triageAnswer = (u, p) => `Urgency: ${u}\nResponder: ${p}`;

function triageSft(r, n, prefix, seen) {
  return unique(() => triageCase(r), (c) => c.msg, n, seen).map(({ t, msg }, i) => {
    return {
      id: `${prefix}-${String(i + 1).padStart(4, '0')}`,
      messages: [
        { role: 'system', content: TRIAGE_SYSTEM },
        { role: 'user', content: msg },
        { role: 'assistant', content: triageAnswer(t.u, t.p) },
      ],
    };
  });
}

function triageDpo(r, n, prefix, seen) {
  return unique(() => triageCase(r), (c) => c.msg, n, seen).map(({ t, msg }, i) => {
    return {
      id: `${prefix}-${String(i + 1).padStart(4, '0')}`,
      // The same chat as the SFT split, so DPO trains on the prompt format the model is evaluated on.
      prompt: [
        { role: 'system', content: TRIAGE_SYSTEM },
        { role: 'user', content: msg },
      ],
      chosen: [{ role: 'assistant', content: triageAnswer(t.u, t.p) }],
      rejected: [{ role: 'assistant', content: triageAnswer(t.wrong[0], t.wrong[1]) }],
    };
  });
}

// ---------------------------------------------------------------- clinical reasoning (alpaca SFT, chat DPO)
const REASONING = [
  { v: 'fever, flank pain, costovertebral angle tenderness and pyuria', q: 'diagnosis', a: 'Acute pyelonephritis', d: ['Acute cystitis', 'Renal colic', 'Appendicitis'], why: 'fever with flank pain and pyuria means the infection has reached the kidney', trap: 'dysuria and pyuria fit a bladder infection' },
  { v: 'pleuritic chest pain, tachycardia and hypoxia three days after hip surgery', q: 'diagnosis', a: 'Pulmonary embolism', d: ['Pneumonia', 'Myocardial infarction', 'Anxiety'], why: 'recent surgery with sudden pleuritic pain, tachycardia and hypoxia points to venous thromboembolism', trap: 'chest pain with tachycardia suggests a cardiac cause' },
  { v: 'polyuria, polydipsia, weight loss and a random glucose of 310 mg/dL', q: 'diagnosis', a: 'Type 1 or type 2 diabetes mellitus', d: ['Diabetes insipidus', 'Hyperthyroidism', 'Urinary tract infection'], why: 'a random glucose above 200 mg/dL with classic symptoms is diagnostic of diabetes', trap: 'polyuria and polydipsia suggest a water-handling disorder' },
  { v: 'sudden severe headache described as the worst of life, with neck stiffness', q: 'next step', a: 'Non-contrast head CT', d: ['Oral analgesics and discharge', 'Outpatient MRI next week', 'Migraine prophylaxis'], why: 'a thunderclap headache needs urgent imaging to exclude subarachnoid hemorrhage', trap: 'severe headache is most often migraine' },
  { v: 'crushing chest pain for thirty minutes with ST elevation in leads II, III and aVF', q: 'next step', a: 'Emergency coronary angiography with primary PCI', d: ['Stress test tomorrow', 'Proton pump inhibitor trial', 'Discharge with aspirin'], why: 'an inferior ST-elevation myocardial infarction needs immediate reperfusion', trap: 'chest pain after a meal is often reflux' },
  { v: 'productive cough, fever, right lower lobe crackles and a lobar infiltrate on X-ray in a healthy adult', q: 'diagnosis', a: 'Community-acquired pneumonia', d: ['Acute bronchitis', 'Pulmonary embolism', 'Heart failure'], why: 'fever, focal crackles and a lobar infiltrate define pneumonia', trap: 'cough with fever is usually bronchitis' },
  { v: 'fatigue, cold intolerance, weight gain and a high TSH', q: 'diagnosis', a: 'Primary hypothyroidism', d: ['Hyperthyroidism', 'Depression', 'Adrenal insufficiency'], why: 'a high TSH with these symptoms indicates an underactive thyroid', trap: 'fatigue and weight gain fit depression' },
  { v: 'right lower quadrant pain that began around the umbilicus, fever and rebound tenderness', q: 'diagnosis', a: 'Acute appendicitis', d: ['Gastroenteritis', 'Renal colic', 'Constipation'], why: 'periumbilical pain migrating to the right lower quadrant with peritoneal signs is classic appendicitis', trap: 'abdominal pain with fever is often gastroenteritis' },
  { v: 'blood pressure 78/40, fever, confusion and a lactate of 4.5 with suspected urinary source', q: 'next step', a: 'Blood cultures, broad-spectrum antibiotics and a 30 mL/kg fluid bolus now', d: ['Oral antibiotics and follow-up in two days', 'Wait for the urine culture result', 'Start a diuretic'], why: 'septic shock needs antibiotics and fluid resuscitation within the first hour', trap: 'a urinary source can be treated with oral antibiotics' },
  { v: 'an unprovoked calf swelling with a positive compression ultrasound for proximal deep vein thrombosis', q: 'next step', a: 'Start anticoagulation', d: ['Compression stockings only', 'Repeat ultrasound in one month without treatment', 'Aspirin alone'], why: 'proximal deep vein thrombosis needs anticoagulation to prevent embolism', trap: 'leg swelling can be managed with compression' },
  { v: 'wheezing, shortness of breath and a peak flow at 45 percent of predicted in a known asthmatic', q: 'next step', a: 'Inhaled short-acting bronchodilator and systemic corticosteroids', d: ['Antibiotics alone', 'Increase the dose of the daily inhaled steroid next month', 'Cough suppressant'], why: 'a severe asthma exacerbation needs bronchodilators and systemic steroids now', trap: 'wheeze with cough suggests a chest infection' },
  { v: 'dysuria and frequency in a healthy non-pregnant woman without fever or flank pain', q: 'next step', a: 'A short course of nitrofurantoin', d: ['CT of the abdomen', 'Intravenous ceftriaxone admission', 'Cystoscopy'], why: 'uncomplicated cystitis is treated with a short oral course', trap: 'urinary infections may spread to the kidney and need admission' },
];
const LETTERS = ['A', 'B', 'C', 'D'];

function reasoningCase(r) {
  const c = r.pick(REASONING);
  const options = r.shuffle([c.a, ...c.d]);
  const right = LETTERS[options.indexOf(c.a)];
  const distractor = r.pick(c.d);
  const wrong = LETTERS[options.indexOf(distractor)];
  const who = `A ${r.pick(AGES)}-year-old ${r.pick(SEX)}`;
  const question = c.q === 'diagnosis' ? 'What is the most likely diagnosis?' : 'What is the best next step?';
  const input = `${who} presents with ${c.v}. ${question}\n${options.map((o, i) => `${LETTERS[i]}. ${o}`).join('\n')}`;
  return {
    input,
    answer: `${right}. ${c.a}: ${c.why}.`,
    wrongAnswer: `${wrong}. ${distractor}: ${c.trap}.`,
  };
}

const REASONING_INSTRUCTION = 'Answer the multiple-choice question with the letter of the best option and one sentence of reasoning.';

function reasoningSft(r, n, prefix, seen) {
  return unique(() => reasoningCase(r), (c) => c.input, n, seen).map((c, i) => {
    return { id: `${prefix}-${String(i + 1).padStart(4, '0')}`, instruction: REASONING_INSTRUCTION, input: c.input, output: c.answer };
  });
}

function reasoningDpo(r, n, prefix, seen) {
  return unique(() => reasoningCase(r), (c) => c.input, n, seen).map((c, i) => {
    return {
      id: `${prefix}-${String(i + 1).padStart(4, '0')}`,
      prompt: [{ role: 'user', content: `${REASONING_INSTRUCTION}\n\n${c.input}` }],
      chosen: [{ role: 'assistant', content: c.answer }],
      rejected: [{ role: 'assistant', content: c.wrongAnswer }],
    };
  });
}

// ---------------------------------------------------------------- discharge summarization (prompt/completion)
const ADMISSIONS = [
  { why: 'community-acquired pneumonia', course: 'treated with intravenous ceftriaxone and azithromycin, then switched to oral amoxicillin-clavulanate once afebrile', oxygen: true },
  { why: 'acute pyelonephritis', course: 'treated with intravenous ceftriaxone, blood cultures negative, transitioned to oral ciprofloxacin', oxygen: false },
  { why: 'heart failure exacerbation', course: 'diuresed with intravenous furosemide with a weight loss of 3 kg and improved breathing', oxygen: true },
  { why: 'cellulitis of the left lower leg', course: 'treated with intravenous cefazolin with shrinking redness, switched to oral cephalexin', oxygen: false },
  { why: 'COPD exacerbation', course: 'treated with nebulized bronchodilators, prednisone and doxycycline', oxygen: true },
  { why: 'upper gastrointestinal bleeding from a gastric ulcer', course: 'endoscopy treated the ulcer, transfused two units, started on pantoprazole', oxygen: false },
];
const MED_CHANGES = [
  { text: 'warfarin was stopped because of bleeding risk', wrong: 'warfarin was continued at the same dose' },
  { text: 'metformin was held for kidney function and should not be restarted until labs are rechecked', wrong: 'metformin was restarted at the usual dose' },
  { text: 'furosemide was increased to 40 mg twice daily', wrong: 'furosemide was stopped' },
  { text: 'lisinopril was paused because of low blood pressure', wrong: 'lisinopril was increased' },
  { text: 'ibuprofen was discontinued and should be avoided', wrong: 'ibuprofen can be used for pain' },
  { text: 'a new prescription of apixaban was started', wrong: 'no anticoagulant was started' },
];
const FOLLOWUP = ['see the primary care clinic within one week', 'repeat blood tests in three days', 'see cardiology in two weeks', 'return for a wound check in five days'];

function summarizationCase(r) {
  const a = r.pick(ADMISSIONS);
  const med = r.pick(MED_CHANGES);
  const fu = r.pick(FOLLOWUP);
  const age = r.pick(AGES);
  const days = r.int(2, 7);
  const note = [
    `Discharge note. ${age}-year-old ${r.pick(SEX)} admitted for ${days} days with ${a.why}.`,
    `Hospital course: ${cap(a.course)}.${a.oxygen ? ' Required supplemental oxygen for the first days, weaned to room air before discharge.' : ''}`,
    `Medications: ${cap(med.text)}.`,
    `Condition at discharge: stable, eating and walking independently.`,
    `Follow-up: ${cap(fu)}.`,
  ].join('\n');
  const summary = `Admitted ${days} days for ${a.why}; ${a.course}. Medication change: ${med.text}. Follow-up: ${fu}.`;
  const wrong = r.chance(0.5)
    ? `Admitted ${days} days for ${a.why}; ${a.course}. Medication change: ${med.wrong}. Follow-up: ${fu}.`
    : `Admitted ${days} days for ${a.why}; ${a.course}. Discharged in stable condition.`;
  return { note, summary, wrong };
}

const SUMMARY_PROMPT = 'Summarize the discharge note for the primary care physician in one or two sentences. Keep every medication change and the follow-up plan.';

function summarizationSft(r, n, prefix, seen) {
  return unique(() => summarizationCase(r), (c) => c.note, n, seen).map((c, i) => {
    return { id: `${prefix}-${String(i + 1).padStart(4, '0')}`, prompt: `${SUMMARY_PROMPT}\n\n${c.note}\n\nSummary:`, completion: ` ${c.summary}` };
  });
}

function summarizationDpo(r, n, prefix, seen) {
  return unique(() => summarizationCase(r), (c) => c.note, n, seen).map((c, i) => {
    return { id: `${prefix}-${String(i + 1).padStart(4, '0')}`, prompt: `${SUMMARY_PROMPT}\n\n${c.note}\n\nSummary:`, chosen: ` ${c.summary}`, rejected: ` ${c.wrong}` };
  });
}

/** Every task file, keyed by its path under datasets-sample/. Separate seeds per split keep them independent. */
export function tasks() {
  const [uS, tS, tD, rS, rD, sS, sD] = Array.from({ length: 7 }, () => new Set());
  return {
    'uti/uti.train.sft.jsonl': uti(rng(101), 400, uS),
    'uti/uti.eval.sft.jsonl': uti(rng(102), 100, uS).map((x) => ({ ...x, id: x.id.replace('uti-', 'uti-eval-') })),
    'triage/triage.train.sft.jsonl': triageSft(rng(201), 400, 'triage', tS),
    'triage/triage.eval.sft.jsonl': triageSft(rng(202), 100, 'triage-eval', tS),
    'triage/triage.train.dpo.jsonl': triageDpo(rng(203), 300, 'triage-pair', tD),
    'triage/triage.eval.dpo.jsonl': triageDpo(rng(204), 60, 'triage-pair-eval', tD),
    'reasoning/reasoning.train.sft.jsonl': reasoningSft(rng(301), 400, 'reasoning', rS),
    'reasoning/reasoning.eval.sft.jsonl': reasoningSft(rng(302), 100, 'reasoning-eval', rS),
    'reasoning/reasoning.train.dpo.jsonl': reasoningDpo(rng(303), 300, 'reasoning-pair', rD),
    'reasoning/reasoning.eval.dpo.jsonl': reasoningDpo(rng(304), 60, 'reasoning-pair-eval', rD),
    'summarization/summarization.train.sft.jsonl': summarizationSft(rng(401), 300, 'summary', sS),
    'summarization/summarization.eval.sft.jsonl': summarizationSft(rng(402), 80, 'summary-eval', sS),
    'summarization/summarization.train.dpo.jsonl': summarizationDpo(rng(403), 240, 'summary-pair', sD),
    'summarization/summarization.eval.dpo.jsonl': summarizationDpo(rng(404), 60, 'summary-pair-eval', sD),
  };
}
