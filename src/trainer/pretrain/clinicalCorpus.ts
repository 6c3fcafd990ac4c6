// Deterministic synthetic clinical prose for pretraining the sample model: progress notes, patient
// portal messages with replies, plain-language explanations, discharge instructions and handoffs, plus
// a share of general chat turns so the model has seen its chat template. Not the labelled task data.
import { SeededRandom } from './seededRandom';
import {
  AGES, CLINICIANS, CONDITIONS, CONNECTIVES, DURATIONS, HISTORY, PEOPLE, SETTINGS, VITALS, type Condition,
} from './clinicalVocabulary';

export interface CorpusDocument {
  kind: 'note' | 'message' | 'explanation' | 'discharge' | 'handoff' | 'chat';
  /** Plain prose; for 'chat' the turns are in `messages` and `text` is empty. */
  text: string;
  messages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

function progressNote(r: SeededRandom, c: Condition): string {
  const age = r.pick(AGES);
  const who = r.pick(PEOPLE);
  const syms = r.sample(c.symptoms, r.int(2, 3));
  const hx = r.sample(HISTORY, r.int(1, 2));
  const findings = r.sample(c.findings, r.int(1, 2));
  const tests = r.sample(c.tests, r.int(1, 2));
  const tx = r.sample(c.treatments, r.int(1, 2));
  const lines = [
    `Progress note, ${r.pick(SETTINGS)}.`,
    `Subjective: ${age}-year-old ${who} with a history of ${list(hx)} presents with ${list(syms)} ${r.pick(DURATIONS)}. ${r.pick([
      'Denies recent travel.', 'No sick contacts.', 'Symptoms are getting slowly worse.', 'Tried over-the-counter medicine without relief.', 'Eating and drinking less than usual.',
    ])}`,
    `Objective: Temperature ${r.pick(VITALS.temp)} C, heart rate ${r.pick(VITALS.hr)}, blood pressure ${r.pick(VITALS.bp)}, respiratory rate ${r.pick(VITALS.rr)}, oxygen saturation ${r.pick(VITALS.spo2)}. Examination shows ${list(findings)}.`,
    `Assessment: ${cap(c.name)}. ${r.pick(['Clinically stable.', 'Moderate severity.', 'Mild, suitable for outpatient care.', 'Will monitor closely.'])}`,
    `Plan: Obtain ${list(tests)}. Start ${list(tx)}. ${r.pick(['Follow up in one week.', 'Reassess tomorrow morning.', 'Return precautions reviewed.', 'Will discuss results by phone.'])}`,
  ];
  return lines.join('\n');
}

function patientMessage(r: SeededRandom, c: Condition): CorpusDocument {
  const syms = r.sample(c.symptoms, r.int(1, 2));
  const opener = r.pick(['Hello,', 'Hi,', 'Good morning,', 'Hi there,', 'Hello care team,']);
  const body = `${opener} I have had ${list(syms)} ${r.pick(DURATIONS)}. ${r.pick([
    `My doctor said it might be ${c.lay}.`, `I was treated for ${c.lay} before.`, 'I am not sure if this is serious.', 'I started the new medicine last week.', 'I wanted to ask what I should do.',
  ])} ${r.pick(['Thank you.', 'Thanks for your help.', 'Please let me know.', 'I appreciate it.'])}`;
  const reply = `${r.pick(['Thank you for your message.', 'Thanks for reaching out.', 'Thank you for letting us know.'])} ${c.explanation[0]} ${cap(r.pick(c.advice))}. ${r.pick([
    'Please call us or seek care right away if you notice', 'Go to the emergency department if you have', 'Let us know right away if you develop',
  ])} ${list(r.sample(c.warnings, 2))}. ${r.pick(['Take care.', 'We hope you feel better soon.', `— ${cap(r.pick(CLINICIANS))}`])}`;
  return { kind: 'message', text: `Patient message: ${body}\nReply from ${r.pick(CLINICIANS)}: ${reply}` };
}

function explanation(r: SeededRandom, c: Condition): string {
  const title = r.pick([`What is ${c.name}?`, `Understanding ${c.lay}`, `About ${c.name}`, `Living with ${c.lay}`]);
  const parts = [title, ...c.explanation];
  parts.push(`Common symptoms include ${list(r.sample(c.symptoms, 3))}.`);
  parts.push(`${r.pick(['Your clinician may order', 'Tests can include', 'To confirm it, we may use'])} ${list(r.sample(c.tests, 2))}.`);
  parts.push(`${r.pick(['Treatment may include', 'Options include', 'We often recommend'])} ${list(r.sample(c.treatments, 2))}.`);
  parts.push(`At home, ${list(r.sample(c.advice, 2))}.`);
  parts.push(`Seek care urgently for ${list(r.sample(c.warnings, 2))}.`);
  return parts.join(' ');
}

function discharge(r: SeededRandom, c: Condition): string {
  const days = r.int(1, 6);
  return [
    `Discharge instructions.`,
    `You were in the hospital for ${days} ${days === 1 ? 'day' : 'days'} with ${c.name}.`,
    `${r.pick(CONNECTIVES)} you were treated with ${list(r.sample(c.treatments, 2))} and you improved.`,
    `Medicines: continue ${r.pick(c.treatments)} as prescribed.`,
    `What to do at home: ${list(r.sample(c.advice, 2))}.`,
    `Follow-up: see your primary care clinician in ${r.pick(['one week', 'two weeks', 'three to five days', 'one month'])}.`,
    `Return to the emergency department for ${list(r.sample(c.warnings, 2))}.`,
  ].join('\n');
}

function handoff(r: SeededRandom, c: Condition): string {
  const age = r.pick(AGES);
  return `Handoff: ${age}-year-old ${r.pick(PEOPLE)} admitted with ${c.name}, day ${r.int(1, 5)}. ${r.pick([
    'Overnight was uneventful.', 'Had a fever overnight that responded to acetaminophen.', 'Slept well, pain controlled.', 'Needed one extra dose of pain medicine.',
  ])} Vitals: heart rate ${r.pick(VITALS.hr)}, blood pressure ${r.pick(VITALS.bp)}, saturation ${r.pick(VITALS.spo2)}. On ${list(r.sample(c.treatments, 2))}. To do: follow up ${r.pick(c.tests)}; ${r.pick([
    'encourage walking', 'review medicines with the pharmacist', 'plan discharge if stable', 'repeat labs in the morning',
  ])}. Watch for ${r.pick(c.warnings)}.`;
}

function chat(r: SeededRandom, c: Condition): CorpusDocument {
  const question = r.pick([
    `Can you explain ${c.lay} in simple words?`, `What should I know about ${c.name}?`, `How is ${c.name} usually treated?`,
    `What can I do at home for ${c.lay}?`, `When should I worry about ${c.lay}?`,
  ]);
  let answer: string;
  if (question.startsWith('How')) answer = `${c.explanation[0]} ${r.pick(['Treatment often includes', 'Common treatments are'])} ${list(r.sample(c.treatments, 2))}.`;
  else if (question.startsWith('What can')) answer = `${cap(list(r.sample(c.advice, 2)))}. ${c.explanation[c.explanation.length - 1]}`;
  else if (question.startsWith('When')) answer = `Seek care promptly for ${list(r.sample(c.warnings, 2))}. Otherwise, ${r.pick(c.advice)}.`;
  else answer = `${c.explanation.slice(0, 2).join(' ')} Symptoms include ${list(r.sample(c.symptoms, 2))}.`;
  const messages: CorpusDocument['messages'] = [];
  if (r.chance(0.3)) messages.push({ role: 'system', content: 'You are a helpful clinical assistant.' });
  messages.push({ role: 'user', content: question }, { role: 'assistant', content: answer });
  return { kind: 'chat', text: '', messages };
}

/** `count` documents, identical for identical (seed, count) on every machine. */
export function generateCorpus(seed: number, count: number): CorpusDocument[] {
  const r = new SeededRandom(seed);
  const docs: CorpusDocument[] = [];
  for (let i = 0; i < count; i++) {
    const c = r.pick(CONDITIONS);
    const roll = r.next();
    if (roll < 0.25) docs.push({ kind: 'note', text: progressNote(r, c) });
    else if (roll < 0.45) docs.push(patientMessage(r, c));
    else if (roll < 0.63) docs.push({ kind: 'explanation', text: explanation(r, c) });
    else if (roll < 0.76) docs.push({ kind: 'discharge', text: discharge(r, c) });
    else if (roll < 0.88) docs.push({ kind: 'handoff', text: handoff(r, c) });
    else docs.push(chat(r, c));
  }
  return docs;
}
