// Labelled PHI test set: synthetic clinical snippets with fake identifiers (555 phone numbers, example.org
// addresses, invented names) and their exact spans in meta.phi, plus hard negatives — clinical numbers that
// look like identifiers (vitals, doses, lab values, years, ages under 90, eponyms) and carry no label.
// Some positives are deliberately hard (bare names without a title) so measured recall is honest.
import { rng } from './random.mjs';

const FIRST = ['Maria', 'James', 'Linh', 'Ahmed', 'Olivia', 'Samuel', 'Priya', 'Ewa', 'Kofi', 'Hannah', 'Mateo', 'Aiko', 'Tomasz', 'Grace', 'Omar'];
const LAST = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Alvarez', 'Kowalski', 'Brennan', 'Haddad', 'Nguyen', 'Fischer', 'Osei', 'Whitfield', 'Romero', 'Sato', 'Delacroix'];
const STREETS = ['Maple', 'Harbor', 'Willow', 'Cedar Hill', 'Orchard', 'Lincoln', 'Beacon', 'Riverside'];
const SUFFIXES = ['Street', 'St.', 'Avenue', 'Ave', 'Road', 'Lane', 'Drive', 'Court', 'Boulevard'];
const CITIES = [['Springfield', 'IL'], ['Riverton', 'WY'], ['Fairview', 'OR'], ['Georgetown', 'TX'], ['Salem', 'MA'], ['Madison', 'WI']];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MON3 = ['Jan', 'Feb', 'Mar', 'Apr', 'Jun', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n, w) => String(n).padStart(w, '0');

/** Generators of one identifier: [category, surrounding-text-before, value, text-after]. */
const POSITIVES = [
  (r) => ['name', r.pick(['Seen today by Dr. ', 'Discussed with Dr. ', 'Referred to Dr. ', 'Follow-up with Dr ']), `${r.pick(FIRST)} ${r.pick(LAST)}`, '.'],
  (r) => ['name', r.pick(['Dr. ', 'Doctor ']), r.pick(LAST), r.pick([' reviewed the imaging.', ' will call with results.', ' agrees with the plan.'])],
  (r) => ['name', r.pick(['Patient: ', 'Patient name: ', 'Name: ', 'Pt: ']), `${r.pick(FIRST)} ${r.pick(LAST)}`, r.pick([', admitted for chest pain.', '. Allergies: none known.', '.'])],
  (r) => ['name', r.pick(['Mrs. ', 'Mr. ', 'Ms. ']), r.pick(LAST), r.pick([' reports improved appetite.', ' was discharged home.', ' declined the flu vaccine.'])],
  (r) => ['name', r.pick(['Emergency contact: ', 'Daughter: ', 'Signed by: ']), `${r.pick(FIRST)} ${r.pick(LAST)}`, '.'],
  (r) => ['name', 'Note written by ', `${r.pick(FIRST)} ${r.pick(LAST)}`, ', MD.'],
  // Hard: a bare name with no title or label.
  (r) => ['name', 'Accompanied by her son ', r.pick(FIRST), ', who helps with medications.'],
  (r) => ['name', '', `${r.pick(FIRST)} ${r.pick(LAST)}`, r.pick([' presented with worsening cough.', ' tolerated the procedure well.'])],
  (r) => ['mrn', r.pick(['MRN: ', 'MRN ', 'Medical record number ', 'MR# ', 'Chart #']), pad(r.int(100000, 99999999), 7), '.'],
  (r) => ['mrn', r.pick(['Account #', 'Acct no. ', 'Member ID: ', 'Policy number ']), `${r.pick(['', 'HP', 'ZX'])}${pad(r.int(10000, 9999999), 6)}`, ' on file.'],
  (r) => ['mrn', 'Record ', pad(r.int(1000000, 99999999), 8), ' was merged with the outside chart.'],
  (r) => ['ssn', r.pick(['SSN ', 'Social Security Number: ', 'SSN: ']), `${r.int(100, 665)}-${pad(r.int(1, 99), 2)}-${pad(r.int(1, 9999), 4)}`, '.'],
  (r) => ['ssn', 'Insurance form lists ', `${r.int(100, 665)}-${pad(r.int(1, 99), 2)}-${pad(r.int(1, 9999), 4)}`, ' as the subscriber number.'],
  (r) => ['phone', r.pick(['Call back at ', 'Cell: ', 'Phone ', 'Reach her at ']), r.pick([`(${r.int(201, 989)}) 555-${pad(r.int(100, 199), 4)}`, `${r.int(201, 989)}-555-${pad(r.int(100, 199), 4)}`, `${r.int(201, 989)}.555.${pad(r.int(100, 199), 4)}`, `+1 ${r.int(201, 989)} 555 ${pad(r.int(100, 199), 4)}`]), '.'],
  (r) => ['fax', r.pick(['Fax: ', 'Fax ', 'fax number ']), `${r.int(201, 989)}-555-${pad(r.int(100, 199), 4)}`, ' for records.'],
  (r) => ['email', r.pick(['Email: ', 'Send results to ', 'Contact ']), `${r.pick(FIRST).toLowerCase()}.${r.pick(LAST).toLowerCase()}${r.pick(['', '82', '.home'])}@${r.pick(['example.org', 'mail.example.com', 'example.net'])}`, '.'],
  (r) => ['url', r.pick(['Portal link: ', 'See ', 'Photos uploaded to ']), `https://${r.pick(['portal', 'files', 'share'])}.example.org/${r.pick(['p', 'u', 'chart'])}/${r.int(1000, 99999)}`, ' for details.'],
  (r) => ['url', 'Patient blog at ', `www.${r.pick(LAST).toLowerCase()}-family.example.com`, ' mentions the diagnosis.'],
  (r) => ['ip', r.pick(['Login from IP ', 'Device address ', 'Telehealth session from ']), `${r.int(11, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`, '.'],
  (r) => {
    const m = r.int(1, 12);
    const d = r.int(1, 28);
    const y = r.int(1935, 2024);
    const v = r.pick([`${pad(m, 2)}/${pad(d, 2)}/${y}`, `${m}/${d}/${String(y).slice(2)}`, `${y}-${pad(m, 2)}-${pad(d, 2)}`, `${MONTHS[m - 1]} ${d}, ${y}`, `${d} ${MONTHS[m - 1]} ${y}`, `${r.pick(MON3)} ${d}, ${y}`]);
    return ['date', r.pick(['Admitted on ', 'Date of birth: ', 'DOB ', 'Surgery performed ', 'Last seen ']), v, '.'];
  },
  (r) => {
    const [city, st] = r.pick(CITIES);
    return ['address', 'Lives at ', `${r.int(2, 9999)} ${r.pick(STREETS)} ${r.pick(SUFFIXES)}`, `, ${city}.`, st];
  },
  (r) => ['address', 'Mail to ', `PO Box ${r.int(10, 9999)}`, '.'],
  (r) => {
    const [city, st] = r.pick(CITIES);
    // The city is an identifier too (a place smaller than a state): labelled as an address.
    return ['zip', `Home: ${city}, ${st} `, pad(r.int(1001, 99950), 5), '.', { category: 'address', start: 'Home: '.length, end: 'Home: '.length + city.length }];
  },
  (r) => ['zip', r.pick(['ZIP code ', 'Zip: ', 'postal code ']), `${pad(r.int(1001, 99950), 5)}${r.chance(0.3) ? `-${pad(r.int(1, 9999), 4)}` : ''}`, '.'],
  (r) => ['age', r.pick(['A ', 'This ']), String(r.int(90, 104)), r.pick(['-year-old woman with hip fracture.', ' year old man with delirium.', ' yo with falls.'])],
  (r) => ['age', r.pick(['Age: ', 'aged ']), String(r.int(90, 104)), r.pick([', lives alone.', ' and frail.'])],
];

/** Clinical sentences full of numbers and capitalised words that are not identifiers. */
const NEGATIVES = [
  (r) => `BP ${r.int(100, 170)}/${r.int(60, 100)}, HR ${r.int(55, 120)}, RR ${r.int(12, 24)}, SpO2 ${r.int(88, 100)}% on room air.`,
  (r) => `WBC ${r.int(3, 18)}.${r.int(0, 9)}, hemoglobin ${r.int(7, 16)}.${r.int(0, 9)}, platelets ${r.int(90, 450)},000.`,
  (r) => `Started amoxicillin ${r.pick([250, 500, 875])} mg twice daily for ${r.int(5, 10)} days.`,
  (r) => `Heparin ${r.pick([5000, 7500])} units subcutaneously every ${r.pick([8, 12])} hours.`,
  (r) => `Symptoms began in ${r.int(2010, 2024)} and worsened over ${r.int(2, 11)} months.`,
  (r) => `${r.int(18, 89)}-year-old with ${r.pick(['Crohn disease', 'Parkinson disease', 'Graves disease', 'Down syndrome', 'Hodgkin lymphoma'])}, stable.`,
  (r) => `Dr. on call notified; plan per Emergency Department team.`,
  (r) => `Creatinine ${r.int(0, 3)}.${r.int(1, 9)} mg/dL, sodium ${r.int(128, 146)}, potassium ${r.int(3, 5)}.${r.int(0, 9)}.`,
  (r) => `Take ${r.int(1, 2)}-${r.int(2, 3)} tablets every ${r.pick([4, 6, 8])} hours as needed, maximum ${r.pick([3000, 4000])} mg per day.`,
  (r) => `ICD-10 code N39.0 recorded; CPT ${r.int(99201, 99215)} billed.`,
  (r) => `Room ${r.int(2, 12)}${pad(r.int(1, 40), 2)}, bed ${r.pick(['A', 'B'])}; fall risk score ${r.int(10, 60)}.`,
  (r) => `INR ${r.int(1, 4)}.${r.int(0, 9)}; warfarin dose unchanged. Ejection fraction ${r.int(20, 65)}%.`,
  (r) => `Glucose ${r.int(70, 400)} mg/dL; A1c ${r.int(5, 12)}.${r.int(0, 9)}%; insulin glargine ${r.int(8, 40)} units at night.`,
  (r) => `Patient: Male, ${r.int(18, 89)} years old, admitted through the emergency department.`,
  (r) => `Visit ${r.int(2, 6)} of ${r.int(6, 12)}; walked ${r.int(100, 600)} meters in six minutes.`,
  // Not "since 3/14": a month and day is a date element under Safe Harbor, so it is a positive, not a negative.
  (r) => `Fever to ${r.int(100, 103)}.${r.int(0, 9)} F on hospital day ${r.int(1, 12)}, ${r.int(1, 28)} hours after admission; troponin 0.0${r.int(1, 9)} ng/mL; QTc ${r.int(400, 500)} ms.`,
  (r) => `Titer 1:${r.pick([40, 80, 160])}; CD4 count ${r.int(200, 900)} cells/uL; Glasgow Coma Scale ${r.int(9, 15)}.`,
  (r) => `Order set ${r.int(1, 4)}.${r.int(0, 9)}.${r.int(0, 20)}.${r.int(1, 9)} used for sepsis; Wells score ${r.int(0, 6)}; Child-Pugh class ${r.pick(['A', 'B', 'C'])}.`,
  (r) => `Follow-up phone call in ${r.int(2, 3)} weeks. Tylenol ${r.pick([325, 650])} mg as needed; St. John's wort stopped.`,
  (r) => `Stool type ${r.int(1, 7)} on the Bristol scale; Apgar ${r.int(6, 9)}/${r.int(8, 10)}; ${r.int(2, 5)} of ${r.int(5, 8)} home readings above target.`,
];

export function phiSet() {
  const r = rng(555);
  const rows = [];
  for (let i = 0; i < 320; i++) {
    const parts = [];
    const phi = [];
    let text = '';
    const nPhi = r.chance(0.25) ? 0 : r.int(1, 3);
    const nNeg = r.int(1, 2);
    const slots = r.shuffle([...Array(nPhi).fill('p'), ...Array(nNeg).fill('n')]);
    for (const s of slots) {
      if (text) text += ' ';
      if (s === 'n') {
        text += r.pick(NEGATIVES)(r);
        continue;
      }
      const [category, before, value, after, extra] = r.pick(POSITIVES)(r);
      if (extra && typeof extra === 'object') phi.push({ start: text.length + extra.start, end: text.length + extra.end, category: extra.category });
      text += before;
      phi.push({ start: text.length, end: text.length + value.length, category });
      text += value + after;
      parts.push(category);
    }
    rows.push({ id: `phi-${pad(i + 1, 4)}`, text, meta: { synthetic: true, phi } });
  }
  return rows;
}
