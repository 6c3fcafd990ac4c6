// HIPAA Safe Harbor identifier detectors: regular expressions tuned to clinical text, each returning exact spans.
// They favour recall on the identifiers that matter most (names, numbers, contacts) while leaving clinical
// numbers (doses, lab values, vitals, years, ages under 90) alone.

export const PHI_CATEGORIES = ['name', 'mrn', 'ssn', 'phone', 'fax', 'email', 'url', 'ip', 'date', 'address', 'zip', 'age'] as const;
export type PhiCategory = (typeof PHI_CATEGORIES)[number];

export const PHI_LABELS: Record<PhiCategory, string> = {
  name: 'person name',
  mrn: 'medical record / account number',
  ssn: 'Social Security number',
  phone: 'phone number',
  fax: 'fax number',
  email: 'email address',
  url: 'URL',
  ip: 'IP address',
  date: 'full date',
  address: 'street address',
  zip: 'ZIP code',
  age: 'age over 89',
};

export interface PhiFinding {
  category: PhiCategory;
  /** 0-based UTF-16 offsets into the scanned string; end exclusive. */
  start: number;
  end: number;
  text: string;
}

interface Detector {
  category: PhiCategory;
  re: RegExp;
  /** Capture group holding the identifier itself (the rest is context such as "MRN:" or "Dr."). */
  group?: number;
  accept?: (m: RegExpExecArray) => boolean;
  /** Cheap precondition on the whole text (a substring test) that skips the regular expression when false. */
  gate?: (c: ScanContext) => boolean;
}

/** Facts about the text computed at most once per scan, so most detectors are skipped without running their pattern. */
interface ScanContext {
  text: string;
  /** Some digit pattern an identifier needs (phone/SSN/date/IP shapes, 7+ digits, an age of 90+). */
  digits: boolean;
  /** A clinical or courtesy title, or a credential after a comma. */
  nameCue: boolean;
  /** Keyword groups already looked up: group → present. */
  keys: Map<string, boolean>;
}

// Every alternative starts with a digit, so the regex engine skips other characters quickly.
const DIGIT_CUE = /\d{3}[\s.)-]{1,2}\d{2}|\d\.\d{1,3}\.\d{1,3}\.\d|\d{7}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}|\d{4}-\d{2}-\d{2}|(?:9|1[01])\d\s*-?\s*[yY]/;
const NAME_CUE = /\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Nurse|RN|NP|PA)\.?\s+[A-Z]|,\s+(?:MD|DO|RN|NP|PA-C|PhD)\b/;

const RELATIONS = ['son', 'daughter', 'wife', 'husband', 'mother', 'father', 'brother', 'sister', 'partner', 'friend', 'neighbor', 'caregiver'];
const KEYWORD_GROUPS = {
  mrn: ['mrn', 'mr#', 'mr no', 'record', 'chart', 'acct', 'account', 'member id', 'policy', 'health plan', 'beneficiary', 'license', 'patient id', 'pt id', 'encounter'],
  zip: ['zip', 'postal'],
  box: ['box'],
  ssn: ['ssn', 'social sec'],
  fax: ['fax'],
  email: ['@'],
  url: ['://', 'www.'],
  age: ['age'],
  month: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  label: ['patient', 'pt', 'name', 'signed', 'attending', 'pcp', 'contact', 'guardian', ...RELATIONS],
};

/**
 * An alternation of words as a regular expression grouped by first character ("m(?:rn|ember id)|r(?:ecord)|…"),
 * so the engine rejects most positions on one character instead of trying every word there. With `caseless`,
 * letters become explicit [xX] classes — the same matches as the `i` flag for ASCII words (the only non-ASCII
 * characters that fold into ASCII, Kelvin sign and "İ", cannot complete any of them), and about 20% faster.
 */
function wordAlternation(words: readonly string[], caseless: boolean): string {
  const esc = (w: string) => [...w].map((ch) => (caseless && /[a-z]/.test(ch) ? `[${ch}${ch.toUpperCase()}]` : ch.replace(/[.*+?^${}()|[\]\\#]/g, '\\$&'))).join('');
  const byFirst = new Map<string, string[]>();
  for (const w of words) byFirst.set(w[0], [...(byFirst.get(w[0]) ?? []), w.slice(1)]);
  return [...byFirst].map(([first, rests]) => `${esc(first)}(?:${rests.map(esc).join('|')})`).join('|');
}

const RELATION_CUE = new RegExp(`\\b(?:${wordAlternation(RELATIONS, false)})\\s+[A-Z]`);
/** One pass per keyword group over the text, computed on first use. */
const KEYWORD_RES = Object.fromEntries(Object.entries(KEYWORD_GROUPS).map(([group, words]) => [group, new RegExp(wordAlternation(words, true))])) as Record<
  keyof typeof KEYWORD_GROUPS,
  RegExp
>;

function scanContext(text: string): ScanContext {
  return { text, digits: DIGIT_CUE.test(text), nameCue: NAME_CUE.test(text), keys: new Map() };
}

/** Whether any keyword of `group` occurs (case-insensitively); substring searches, computed on first use. */
function keyword(c: ScanContext, group: keyof typeof KEYWORD_GROUPS): boolean {
  let v = c.keys.get(group);
  if (v === undefined) {
    v = KEYWORD_RES[group].test(c.text);
    c.keys.set(group, v);
  }
  return v;
}

const hasRe = (re: RegExp) => (c: ScanContext) => re.test(c.text);

const COLON_THEN_CAPITALISED = /:\s*[A-Z][a-z]/g;
const SPACE = /\s/;
/**
 * Whether `text` matches /[A-Za-z]\s*:\s*[A-Z][a-z]/ ("Patient: Jane"), found from the colons: the regex engine
 * jumps from colon to colon instead of trying the pattern at every letter of the text.
 */
export function labelColon(text: string): boolean {
  COLON_THEN_CAPITALISED.lastIndex = 0;
  for (let m = COLON_THEN_CAPITALISED.exec(text); m; m = COLON_THEN_CAPITALISED.exec(text)) {
    let j = m.index - 1;
    while (j >= 0 && SPACE.test(text[j])) j--;
    const ch = j >= 0 ? text.charCodeAt(j) | 0x20 : 0;
    if (ch >= 0x61 && ch <= 0x7a) return true;
    COLON_THEN_CAPITALISED.lastIndex = m.index + 1;
  }
  return false;
}
const digitCue = (c: ScanContext) => c.digits;
const nameCue = (c: ScanContext) => c.nameCue;

const NAME_WORD = "[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?";
const NAME = `${NAME_WORD}(?:\\s+[A-Z]\\.)?(?:\\s+${NAME_WORD}){0,2}`;
const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
/** A written-out date needs a four-digit year before its month name is worth looking for. */
const hasMonth = (c: ScanContext) => /(?:19|20)\d{2}/.test(c.text) && keyword(c, 'month');
const STREET_SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq)\\b\\.?';
const STREET_SUFFIX_WORD = new RegExp(`\\b${STREET_SUFFIX}`);
const STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC';
/** Words that follow a clinical title but are not names ("Dr. on call", "Patient: Male"). */
const NOT_NAMES = new Set([
  'On', 'Call', 'The', 'This', 'That', 'Patient', 'Male', 'Female', 'Unknown', 'Today', 'Pending', 'None', 'Please', 'Yes', 'No',
  'Office', 'Clinic', 'Team', 'Service', 'Emergency', 'Primary', 'Attending', 'Resident', 'Staff', 'Triage', 'Nurse', 'Doctor',
  'Adult', 'Child', 'Infant', 'Elderly', 'Young', 'Older', 'Middle', 'Anonymous', 'Redacted', 'Deidentified',
]);

const notAllCommon = (name: string) => !name.split(/\s+/).some((w) => NOT_NAMES.has(w));

const DETECTORS: Detector[] = [
  // Names after a clinical or courtesy title, or after a "Patient:"/"Name:" label.
  {
    category: 'name',
    gate: nameCue,
    re: new RegExp(`\\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Nurse|RN|NP|PA)\\.?\\s+(${NAME})`, 'g'),
    group: 1,
    accept: (m) => notAllCommon(m[1]),
  },
  {
    category: 'name',
    gate: (c) => labelColon(c.text) && keyword(c, 'label'),
    re: new RegExp(`\\b(?:Patient|Pt|Name|Patient name|Signed|Signed by|Attending|PCP|Contact|Emergency contact|Guardian|Son|Daughter|Wife|Husband)\\s*:\\s*(${NAME})`, 'g'),
    group: 1,
    accept: (m) => notAllCommon(m[1]),
  },
  {
    category: 'name',
    gate: hasRe(RELATION_CUE),
    re: new RegExp(`\\b(?:son|daughter|wife|husband|mother|father|brother|sister|partner|friend|neighbor|caregiver)\\s+(${NAME})`, 'g'),
    group: 1,
    accept: (m) => notAllCommon(m[1]),
  },
  { category: 'name', gate: nameCue, re: new RegExp(`(${NAME_WORD}(?:\\s+${NAME_WORD})?),\\s+(?:MD|DO|RN|NP|PA-C|PhD)\\b`, 'g'), group: 1, accept: (m) => notAllCommon(m[1]) },
  { category: 'ssn', gate: digitCue, re: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g },
  { category: 'ssn', gate: (c) => /\d{3} ?\d{2} ?\d{4}/.test(c.text) && keyword(c, 'ssn'), re: /\b(?:SSN|Social Security(?: (?:No\.?|Number|#))?)\s*[:#]?\s*(\d{9}|\d{3} \d{2} \d{4})\b/gi, group: 1 },
  { category: 'fax', gate: (c) => c.digits && keyword(c, 'fax'), re: /\bfax(?:\s*(?:no\.?|number|#))?\s*[:#]?\s*((?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4})\b/gi, group: 1 },
  {
    category: 'phone',
    gate: digitCue,
    re: /(?<![\d-])((?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4})(?![\d-])/g,
    group: 1,
    // A phone number right after "fax" is reported as fax by the detector above.
    accept: (m) => !/fax(?:\s*(?:no\.?|number|#))?\s*[:#]?\s*$/i.test(m.input.slice(Math.max(0, m.index - 20), m.index)),
  },
  { category: 'email', gate: (c) => c.text.includes('@'), re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g },
  { category: 'url', gate: (c) => c.text.includes('://') || keyword(c, 'url'), re: /\b(?:https?:\/\/|www\.)[^\s"'<>()]+[^\s"'<>().,;:!?]/gi },
  {
    category: 'ip',
    gate: digitCue,
    re: /(?<![\d.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?!\.?\d)/g,
    group: 1,
    // Dotted version and order-set numbers ("2.6.13.3") look like IPs: require an address-like context or
    // at least two octets of two or more digits.
    accept: (m) =>
      /\b(?:IP|address|host|server|from|login|device)\b[^.]{0,12}$/i.test(m.input.slice(Math.max(0, m.index - 24), m.index)) ||
      m[1].split('.').filter((o) => o.length >= 2).length >= 2,
  },
  { category: 'ip', gate: (c) => c.text.includes(':') && /[0-9a-fA-F]:[0-9a-fA-F]{1,4}:[0-9a-fA-F]/.test(c.text), re: /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/gi },
  {
    category: 'mrn',
    gate: (c) => /\d[\d-]{3,14}\d/.test(c.text) && keyword(c, 'mrn'),
    re: /\b(?:MRN|MR#|MR No\.?|Medical record(?: number| no\.?| #)?|Record #|Chart(?: #| no\.?| number)|Acct(?:\.|ount)?(?: #| no\.?| number)?|Account #|Member ID|Policy(?: #| no\.?| number)|Health plan(?: ID| #)|Beneficiary(?: ID| #)|License(?: #| no\.?)|Patient ID|Pt ID|Encounter #)\s*[:#]?\s*([A-Z]{0,3}-?\d[\d-]{3,14}\d)\b/gi,
    group: 1,
  },
  // Bare long digit runs look like record numbers; 7+ digits rules out doses, counts and years.
  { category: 'mrn', gate: digitCue, re: /(?<![\d.,$-])(\d{7,12})(?![\d.,%]|\s*(?:mg|mcg|g|ml|mL|units?|IU|cells|\/))/g, group: 1 },
  {
    category: 'date',
    gate: digitCue,
    re: /(?<![\d/.-])((?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?:19|20)?\d{2})(?![\d/-]|\.\d)/g,
    group: 1,
    // "120/80/20" style blood pressure triplets are not dates: require a plausible 2- or 4-digit year.
    accept: (m) => /[/.-](?:\d{2}|(?:19|20)\d{2})$/.test(m[1]),
  },
  { category: 'date', gate: digitCue, re: /(?<![\d-])((?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\d-])/g, group: 1 },
  { category: 'date', gate: hasMonth, re: new RegExp(`\\b(${MONTH}\\s+(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,?\\s+(?:19|20)\\d{2})\\b`, 'g'), group: 1 },
  { category: 'date', gate: hasMonth, re: new RegExp(`\\b((?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH},?\\s+(?:19|20)\\d{2})\\b`, 'g'), group: 1 },
  {
    category: 'address',
    gate: hasRe(STREET_SUFFIX_WORD),
    re: new RegExp(`\\b(\\d{1,6}\\s+(?:[NSEW]\\.?\\s+)?(?:[A-Z][a-z]+|\\d{1,3}(?:st|nd|rd|th))(?:\\s+[A-Z][a-z]+){0,2}\\s+${STREET_SUFFIX}(?:,?\\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\\.?\\s*\\w+)?)`, 'g'),
    group: 1,
  },
  { category: 'address', gate: hasRe(/[Bb][Oo][Xx]\s+\d/), re: /\b(P\.?\s?O\.?\s+Box\s+\d+)\b/gi, group: 1 },
  // The gate is the pattern's shape without the list of states: much cheaper, and false in most clinical text.
  { category: 'zip', gate: hasRe(/[A-Z]{2}\s+\d{5}/), re: new RegExp(`\\b(?:${STATES})\\s+(\\d{5}(?:-\\d{4})?)\\b`, 'g'), group: 1 },
  { category: 'zip', gate: (c) => /\d{5}/.test(c.text) && keyword(c, 'zip'), re: /\b(?:zip|zip code|postal code|zipcode)\s*[:#]?\s*(\d{5}(?:-\d{4})?)\b/gi, group: 1 },
  {
    category: 'age',
    gate: digitCue,
    re: /\b((?:9\d|1[0-1]\d))(?:\s*-?\s*(?:year|yr)s?\s*-?\s*old|\s*(?:yo|y\/o|y\.o\.)\b|\s*(?:years?|yrs?)\s+of\s+age)/gi,
    group: 1,
  },
  { category: 'age', gate: (c) => /(?:9|1[01])\d\b/.test(c.text) && keyword(c, 'age'), re: /\b(?:aged?|age:)\s*((?:9\d|1[0-1]\d))\b(?!\s*(?:mg|kg|%|mmHg|bpm))/gi, group: 1 },
];

/** Every identifier span in `text`, sorted, with overlapping findings of the same category merged. */
export function detectPhi(text: string): PhiFinding[] {
  // Fast reject: every detector needs a digit, an '@', a 'www' or a capitalised title/label.
  if (!/[\d@]|www|[A-Z]/.test(text)) return [];
  const c = scanContext(text);
  const found: PhiFinding[] = [];
  for (const d of DETECTORS) {
    if (d.gate && !d.gate(c)) continue;
    d.re.lastIndex = 0;
    for (let m = d.re.exec(text); m; m = d.re.exec(text)) {
      if (m[0].length === 0) {
        d.re.lastIndex++;
        continue;
      }
      if (d.accept && !d.accept(m)) continue;
      const g = d.group ?? 0;
      const value = m[g];
      if (value === undefined) continue;
      const start = m.index + m[0].indexOf(value);
      found.push({ category: d.category, start, end: start + value.length, text: value });
    }
  }
  return resolveOverlaps(found);
}

/** Precedence when two categories claim the same characters: the more specific pattern wins. */
const PRIORITY: PhiCategory[] = ['email', 'url', 'ssn', 'fax', 'phone', 'ip', 'date', 'address', 'zip', 'mrn', 'age', 'name'];

function resolveOverlaps(found: PhiFinding[]): PhiFinding[] {
  found.sort((a, b) => PRIORITY.indexOf(a.category) - PRIORITY.indexOf(b.category) || a.start - b.start || b.end - a.end);
  const kept: PhiFinding[] = [];
  for (const f of found) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  return kept.sort((a, b) => a.start - b.start);
}
