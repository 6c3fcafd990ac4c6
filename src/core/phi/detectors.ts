// HIPAA Safe Harbor identifier detectors: regular expressions tuned to clinical text, each returning exact spans.
// They favour recall on the identifiers that matter most (names, numbers, contacts) while leaving clinical
// numbers (doses, lab values, vitals, years, ages under 90) alone. Letters are Unicode letters (\p{L}), so
// "Szöllössy" is one name; numbers with check digits (cards, IBANs) are accepted by their checksum.
import { ibanValid, luhnValid } from './checksums';
import { findPersonNames, headerLines, isEverydayWord } from './personNames';
import { COUNTRY_NAMES, US_STATE_NAMES } from './data/placeNames';
import { BULLET, NAME_WORD } from './textPatterns';
import { cueTable, textFacts, type TextFacts } from './textFacts';

export const PHI_CATEGORIES = ['name', 'mrn', 'ssn', 'phone', 'fax', 'email', 'url', 'ip', 'date', 'address', 'zip', 'age', 'account', 'licence'] as const;
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
  date: 'date',
  address: 'address',
  zip: 'ZIP / postal code',
  age: 'age over 89',
  account: 'card / bank account number',
  licence: 'licence, vehicle, device or serial number',
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
  /** Precedence over overlapping findings when it differs from its category's (a number after "MRN" is an MRN first). */
  rank?: PhiCategory;
}

/** Facts about the text computed at most once per scan, so most detectors are skipped without running their pattern. */
interface ScanContext {
  text: string;
  /** One pass over the characters: cue words present (CUES), number runs, digit shapes. */
  facts: TextFacts;
  /** hasAddressCue's answer, once asked. */
  addressCue?: boolean;
}

type Gate = (c: ScanContext) => boolean;

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
const digitCue = (c: ScanContext) => c.facts.digitShape;
const digitCue4 = (c: ScanContext) => /\d{4}|\d\w*\d\w*\d\w*\d/.test(c.text);

const NAME = `${NAME_WORD}(?:\\s+\\p{Lu}\\.)?(?:\\s+${NAME_WORD}){0,2}`;
const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DAY = '(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)?';
const STREET_SUFFIXES = 'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Causeway|Crescent|Cres|Close|Row|Walk|Alley|Plaza|Trail|Trl|Loop|Pike|Mews|Gardens|Grove|Hill|Park|Ridge|View|Heights|Fork|Falls|Junction|Jct|Port|Point|Pt|Crossing|Xing|Estates|Meadows|Springs|Station';
const STREET_SUFFIX = `(?:${STREET_SUFFIXES})\\b\\.?`;
const STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC';
/** After a comma, what makes the words before it a town: a state (its code only where a code can end), or a country. */
const STATE_OR_COUNTRY = `(?:${STATES.replace(/\|(?:MD|PA|MS)\b/g, '')})(?=[ \\t]*(?:[.,;:!?)\\n]|$)|[ \\t]+\\d{5}\\b)|(?:MD|PA|MS)(?=[ \\t]+\\d{5}\\b)|(?:${[...US_STATE_NAMES, ...COUNTRY_NAMES].join('|')})(?![\\p{L}\\p{M}])`;
export const STATE_OR_COUNTRY_AFTER_COMMA = new RegExp(`,[ \\t]+(?:${STATE_OR_COUNTRY})`, 'u');
const STATE_OR_COUNTRY_NAME = new Set([...US_STATE_NAMES, ...COUNTRY_NAMES]);

const RELATIONS = ['son', 'daughter', 'wife', 'husband', 'mother', 'father', 'brother', 'sister', 'partner', 'friend', 'neighbor', 'caregiver'];
/** A state (name or code) or a country, by its first word as cue words read it (letters up to the first non-ASCII one). */
const placeFirstWord = (name: string) => /^[A-Za-z]+(?:[^A-Za-z\s'-])?/.exec(name)![0];

/**
 * The cue words each gate looks for (the notation is textFacts.ts'): every word the gated patterns need to match,
 * so a gate false means the pattern cannot match. Keyword gates find their words where a word starts ("licen*"
 * in "licensed", not in "unlicensed"), as the detectors' own context patterns do.
 */
export const CUES = cueTable({
  licence: ['licen*', 'driver*', 'permit*', 'certif*', 'passport*', 'plate ', 'plate:', 'plate#', 'registration*', 'vin ', 'vin:', 'vin#', 'vehicle*', 'serial*', 's/n', 'device*', 'implant*', 'pacemaker*', 'imei*', 'udi ', 'badge*', 'npi*', 'dea ', 'dea#', 'identifier*', 'id card', ' dl ', 'dl#', 'dl:', ' sn '],
  mrn: ['mrn*', 'mr#', 'mr no', 'record*', 'chart*', 'acct*', 'account*', 'member id', 'policy*', 'health plan', 'beneficiary*', 'license*', 'patient id', 'pt id', 'encounter*'],
  zip: ['zip*', 'postal*', 'postcode*', 'post code'],
  ssn: ['ssn*', 'social sec'],
  fax: ['fax*'],
  www: ['www.'],
  age: ['age*'],
  box: ['box', 'postbox'],
  label: ['Patient', 'Pt', 'Name', 'Signed', 'Attending', 'PCP', 'Contact', 'contact', 'Guardian', 'Son', 'Daughter', 'Wife', 'Husband'],
  relation: RELATIONS,
  nameCue: ['Dr', 'Doctor', 'Mr', 'Mrs', 'Ms', 'Miss', 'Mx', 'Prof', 'Nurse', 'RN', 'NP', 'PA', 'MD', 'DO', 'PhD'],
  month: ['Jan*', 'Feb*', 'Mar*', 'May*', 'Apr*', 'Jun*', 'Jul*', 'Aug*', 'Sep*', 'Oct*', 'Nov*', 'Dec*'],
  street: STREET_SUFFIXES.split('|'),
  phone: ['call*', 'phone*', 'ph', 'tel*', 'mobile', 'mob', 'cell*', 'desk', 'contact*', 'reach*', 'ring', 'number', 'text', 'whats*', 'sms', 'dial*', 'landline', 'registered', 'beeper', 'pager', 'answering', 'messages', '(home', '(work', '(office'],
  place: [
    'street', 'road', 'avenue', 'lane', 'square', 'am', "i'm", "we're", 'we', "they're", 'they', 'live', 'lives', 'lived', 'living', 'resid*', 'born', 'moved', 'relocated', 'based',
    'staying', 'arrived', 'returned', 'travel*', 'visit*', 'town', 'village', 'suburb', 'outskirts', 'trip', 'flight', 'fly', 'flew', 'flying', 'drive', 'drove', 'driving', 'headed',
    'heading', 'weather', 'hotel', 'located', 'situated', 'inc', 'ltd', 'llc', 'corp', 'corporation', 'company', 'co', 'plc', 'ag', 'sa', 'gmbh', 'nv', 'bv', 'ab', 'asa', 'group',
    'holdings', 'originally', 'grew', 'hometown', 'city', 'from', 'near', 'home:',
  ],
  addressCue: ['address', 'addr', 'live', 'lives', 'lived', 'living', 'resid*', 'located', 'situated', 'meet', 'ship', 'deliver', 'send', 'sent', 'mail', 'return', 'moved', 'office', 'restaurant', 'taxi', 'drop', 'drops'],
  stateOrCountry: [...STATES.split('|'), ...[...US_STATE_NAMES, ...COUNTRY_NAMES].map(placeFirstWord)],
});
const has = (c: ScanContext, bit: number) => (c.facts.cues & bit) !== 0;
function cue(group: keyof typeof CUES.bit): Gate {
  const bit = CUES.bit[group];
  return (c) => has(c, bit);
}

/** A month name (or its abbreviation) is worth looking for only when a capitalised one starts a word. */
const hasMonth = cue('month');
/** Cue words, or a line opening with a house number: the rest of ADDRESS_CUE_ANYWHERE is only checked then. */
const hasAddressCue: Gate = (c) => (c.addressCue ??= has(c, CUES.bit.addressCue) || (c.facts.lineOpensWithDigit && ADDRESS_CUE_ANYWHERE.test(c.text)));
/** Words that follow a clinical title but are not names ("Dr. on call", "Patient: Male"). */
const NOT_NAMES = new Set([
  'On', 'Call', 'The', 'This', 'That', 'Patient', 'Male', 'Female', 'Unknown', 'Today', 'Pending', 'None', 'Please', 'Yes', 'No',
  'Office', 'Clinic', 'Team', 'Service', 'Emergency', 'Primary', 'Attending', 'Resident', 'Staff', 'Triage', 'Nurse', 'Doctor',
  'Adult', 'Child', 'Infant', 'Elderly', 'Young', 'Older', 'Middle', 'Anonymous', 'Redacted', 'Deidentified',
]);

const notAllCommon = (name: string) => !name.split(/\s+/).some((w) => NOT_NAMES.has(w));
const digitsOf = (s: string) => s.replace(/\D/g, '');
/** The text just before a match, for context words. */
const before = (m: RegExpExecArray, n: number) => m.input.slice(Math.max(0, m.index - n), m.index);
const after = (m: RegExpExecArray, n: number) => m.input.slice(m.index + m[0].length, m.index + m[0].length + n);

/**
 * A lower-case street-type word or abbreviation between a house number and its street name ("030 ul. Zakrzowska 92",
 * "849 t Goylaan 46", "69 boulevard Aristide Briand"): a closed list, so "220 ms. Wenckebach" stays no address.
 */
const STREET_PREFIX = "(?:(?:ul|al|pl|os|t|'t|rue|via|viale|piazza|calle|avenida|rua|boulevard|chemin|route|strada)\\.?[ \\t]+)?";
/** Lower-case words that join the capitalised words of one place name ("Place du Jeu de Paume", "Treinta y Tres"). */
const PLACE_JOINERS = 'de|da|di|do|du|des|dos|das|del|della|delle|dei|der|den|van|von|la|le|y';
/** A capitalised word or a run of them (street, city and country names), letters of any script. */
const CAP_RUN = `\\p{Lu}[\\p{Ll}\\p{M}][\\p{L}\\p{M}'’-]*\\.?(?:[ \\t]+(?:\\p{Lu}[\\p{L}\\p{M}'’-]*\\.?|(?:${PLACE_JOINERS})(?![\\p{L}\\p{M}])|u\\.|ul\\.)){0,3}`;
/** The same for the lines after an address (a city in capitals is common there), without sentence-ending dots. */
const PLACE_RUN = `\\p{Lu}[\\p{L}\\p{M}'’/-]*(?:[ \\t]+(?:\\p{Lu}[\\p{L}\\p{M}'’/-]*|(?:${PLACE_JOINERS}|nad|am|an|upon|on)(?![\\p{L}\\p{M}]))){0,3}`;
const UNIT = `(?:,?[ \\t]*(?:Apt|Apartment|Unit|Suite|Ste|Flat|Room|Rm|Box|#)\\.?[ \\t]*[\\dA-Z][\\w-]*)`;
/** Words before an address that say one follows. */
const ADDRESS_CUE =
  /\b(?:address(?:es)?|addr|lives?|living|lived|resides?|residing|located|situated|meet(?:ing)?(?: me| you| us)?|ship(?:ped)?|deliver(?:ed|y)?|send|sent|mail(?:ed)?|return(?:ed)?|moved|office|home|restaurant|clinic|drops? (?:you|me) off|taxi|at|on|to|in|is|are|here they are)\b[^.!?\n]{0,12}$/i;
/** Strong address words further back, across a firm's name with its dots ("meet Monday at Acme Co.Ltd., 35090 …"). */
const ADDRESS_CUE_FAR = /\b(?:address(?:es)?|addr|lives?|living|resides?|residing|located|situated|meet(?:ing)?|ship(?:ped)?|deliver(?:ed|y)?|send|sent|mail(?:ed)?)\b(?:[^.!?\n]|\.(?=[\p{L},])){0,70}$/iu;
/** Words before a place name that say it is where someone is, lives or comes from. */
const PLACE_CUE = /\b(?:home|city|town):\s*$|\b(?:live[sd]?|living|resides?|residing|born|moved|relocated|based|staying|arrived|returned|travel(?:l?ing|l?ed)?|visit(?:ing|ed|s)?|originally|grew up|hometown|city|town|village|suburb|outskirts|trip|flight|fl(?:y|ew|ying)|dr(?:ive|ove|iving)|headed|heading|weather|hotel|located|situated)\s+(?:in|at|to|from|of|is)?\s*$|\b(?:Inc|Ltd|LLC|Corp|Corporation|Company|Co|PLC|plc|AG|SA|GmbH|NV|BV|AB|ASA|Group|Holdings)\.?\s+in\s+$|\b(?:from|near)\s+$|\b(?:street|road|avenue|lane|square|am|I'm|we're|we are|they're|they are)\s+in\s+$/i;
/** Words before a month and day without a year that make them a date ("seen 3/14"). */
const DATE_WORD_BEFORE = /\b(?:on|since|from|until|till|by|dated?|DOB|born|admitted|discharged|seen|visit(?:ed)?|surgery|procedure|last|next|before|after)\s+$/i;
/** Words before a bare digit group that make it a phone number. */
export const PHONE_CUE =
  /\b(?:call(?:ed|ing)?(?: me| us| you)?(?: back)?(?: at| on)?|phone(?: number| no\.?)?|ph|tel(?:ephone)?|mobile|mob|cell(?:phone)?|desk|contact(?: number| no\.?| me| us| him| her)?(?: at| on)?|reach(?:ed)?(?: out)?(?: me| us| him| her)?(?: at| on| to)?|ring(?: me| us)?(?: on| at)?|(?:phone|cell|mobile|contact|telephone) (?:number|no\.?|#)|number|text(?: me| us)?(?: at| on)?|whats ?app|sms|dial(?:ed)?|landline|registered|beeper|pager|answering at|messages to)\b[^\d]{0,12}$/i;
/** Words after a bare digit group that make it a phone number ("… is my cell", "… (mobile)"). */
export const PHONE_CUE_AFTER = /^[ \t]*(?:\((?:mobile|cell|home|work|office|landline|tel|phone)\)|(?:is|was|as)[ \t]+(?:my|our|his|her|their|the)[ \t]+(?:new[ \t]+)?(?:phone|cell|mobile|number|landline|home phone|work phone|contact number))/i;
/** Words before a long number that make it an account or card number. */
const ACCOUNT_CUE = /\b(?:account|acct|a\/c|bank|routing|sort code|card|cc|credit|debit|iban|swift|policy|member(?:ship)?|beneficiary|health plan|insurance|subscriber|billing)\b[^\d\n]{0,20}$/i;
/** Words before an identifier that make it a licence, certificate, vehicle, device or serial number. */
const LICENCE_CUE =
  /\b(?:licen[cs]e|DL|driver'?s|permit|certificate|cert|passport|plate|registration|VIN|vehicle|serial|S\/N|SN|device|implant|pacemaker|IMEI|UDI|badge|NPI|DEA|identifier|ID card)\b[^\n]{0,16}$/i;

const DETECTORS: Detector[] = [
  // Names after a clinical or courtesy title, or after a "Patient:"/"Name:" label.
  {
    category: 'name',
    gate: cue('nameCue'),
    re: new RegExp(`\\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Nurse|RN|NP|PA)\\.?\\s+(${NAME})`, 'gu'),
    group: 1,
    accept: (m) => notAllCommon(m[1]),
  },
  {
    category: 'name',
    gate: (c) => has(c, CUES.bit.label) && labelColon(c.text),
    re: new RegExp(`\\b(?:Patient|Pt|Name|Patient name|Signed|Signed by|Attending|PCP|Contact|Emergency contact|Guardian|Son|Daughter|Wife|Husband)\\s*:\\s*(${NAME})`, 'gu'),
    group: 1,
    accept: (m) => notAllCommon(m[1]),
  },
  {
    category: 'name',
    gate: cue('relation'),
    re: new RegExp(`\\b(?:son|daughter|wife|husband|mother|father|brother|sister|partner|friend|neighbor|caregiver)\\s+(${NAME})`, 'gu'),
    group: 1,
    accept: (m) => notAllCommon(m[1]),
  },
  { category: 'name', gate: cue('nameCue'), re: new RegExp(`(${NAME_WORD}(?:\\s+${NAME_WORD})?),\\s+(?:MD|DO|RN|NP|PA-C|PhD)\\b`, 'gu'), group: 1, accept: (m) => notAllCommon(m[1]) },
  { category: 'ssn', gate: digitCue, re: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g },
  { category: 'ssn', gate: (c) => has(c, CUES.bit.ssn) && /\d{3} ?\d{2} ?\d{4}/.test(c.text), re: /\b(?:SSN|Social Security(?: (?:No\.?|Number|#))?)\s*[:#]?\s*(\d{9}|\d{3} \d{2} \d{4})\b/gi, group: 1 },
  // UK National Insurance numbers, the SSN's counterpart: two prefix letters (HMRC never issues D, F, I, Q, U or V
  // there, nor O second), six digits (often in pairs), one letter. The suffix is A-D on issued numbers, but
  // temporary and test numbers ("ZZ 12 34 56 T") use others, and the shape alone is distinctive enough.
  {
    category: 'ssn',
    gate: (c) => c.facts.capitalNearDigit && NI_SHAPE.test(c.text),
    re: /(?<![\p{L}\p{N}])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-Z])(?![\p{L}\p{N}])/gu,
    group: 1,
  },
  { category: 'fax', gate: (c) => c.facts.digitShape && has(c, CUES.bit.fax), re: /\bfax(?:\s*(?:no\.?|number|#))?\s*[:#]?\s*(\+?[\d(][\d\s().-]{6,20}\d)/gi, group: 1 },
  {
    category: 'phone',
    gate: digitCue,
    re: /(?<![\d-])((?:(?:\+|00)?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?)(?![\d-])/g,
    group: 1,
    // A phone number right after "fax" is reported as fax by the detector above.
    accept: (m) => !/fax(?:\s*(?:no\.?|number|#))?\s*[:#]?\s*$/i.test(before(m, 20)),
  },
  // International and national formats: "+46 (0)8 928 571 38", "07700 063 966", "(02) 6799 8847", "06-82237745".
  {
    category: 'phone',
    gate: (c) => c.facts.longestNumber >= 8 && /(?:\+|\(0?\d{1,4}\)|\b0\d)[\s\d().-]{6}/.test(c.text),
    re: /(?<![\w+.,/-])((?:\+\d{1,3}|\(0?\d{1,4}\)|0\d{1,4})(?:[ .-]?\(0\))?(?:[ .-]?\(?\d{1,5}\)?){1,5})(?![\w-]|[.,]\d)/g,
    group: 1,
    accept: (m) => {
      const n = digitsOf(m[1]).length;
      // A leading zero alone is weak evidence (order numbers, decimals): it needs separators or a phone word.
      return n >= 8 && n <= 15 && (m[1].startsWith('+') || m[1].startsWith('(') || /[ .-]/.test(m[1]) || PHONE_CUE.test(before(m, 40))) && !/fax\W{0,12}$/i.test(before(m, 16));
    },
  },
  // Two-digit pairs joined by one dash or dot, four or five of them (the French and Belgian way): "20-33-70-48",
  // "03.28.30.47.39". Dates and versions have at most three parts.
  { category: 'phone', gate: (c) => c.facts.longestNumber >= 8, re: /(?<![\w+.,/-])(\d{2}([.-])\d{2}(?:\2\d{2}){2,3})(?![\w-]|[.,]\d)/g, group: 1 },
  // Any digit group after a phone word: "call me on 794 1672", "Phone: 6038505064", or before one: "… is my cell".
  {
    category: 'phone',
    gate: (c) => c.facts.longestNumber >= 6 && has(c, CUES.bit.phone),
    re: /(?<![\w+.,/-])(\+?\(?\d[\d\s().-]{4,18}\d)(?![\w-]|[.,]\d)/g,
    group: 1,
    accept: (m) => {
      const n = digitsOf(m[1]).length;
      const after = m.input.slice(m.index + m[0].length, m.index + m[0].length + 40);
      return n >= 6 && n <= 15 && (PHONE_CUE.test(before(m, 40)) || PHONE_CUE_AFTER.test(after)) && !/fax\W{0,12}$/i.test(before(m, 16)) && !/\n/.test(m[1]);
    },
  },
  { category: 'email', gate: (c) => c.text.includes('@'), re: /\b[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}\b/gu },
  { category: 'url', gate: (c) => has(c, CUES.bit.www) || c.text.includes('://'), re: /\b(?:https?:\/\/|www\.)[^\s"'<>()]+[^\s"'<>().,;:!?]/gi },
  {
    category: 'ip',
    gate: digitCue,
    re: /(?<![\d.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?!\.?\d)/g,
    group: 1,
    // Dotted version and order-set numbers ("2.6.13.3") look like IPs: require an address-like context or
    // at least two octets of two or more digits.
    accept: (m) => /\b(?:IP|address|host|server|from|login|device)\b[^.]{0,12}$/i.test(before(m, 24)) || m[1].split('.').filter((o) => o.length >= 2).length >= 2,
  },
  { category: 'ip', gate: (c) => c.facts.ipv6Shape, re: /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/gi },
  // Payment cards: 12-19 digits (grouped or not) that pass the Luhn check.
  {
    category: 'account',
    gate: (c) => c.facts.longestNumber >= 12,
    re: /(?<![\d.,-])(\d{4}[ -]?\d{4}[ -]?\d{4}(?:[ -]?\d{1,4}){0,2}|\d{12,19})(?![\d-]|[.,]\d)/g,
    group: 1,
    accept: (m) => {
      const d = digitsOf(m[1]);
      return d.length >= 12 && d.length <= 19 && luhnValid(d);
    },
  },
  // IBAN: country code, check digits, 10-30 letters/digits (grouped by four or not), checked mod 97.
  {
    category: 'account',
    gate: (c) => c.facts.capitalDigit && /[A-Z]{2}\d{2}[ ]?[A-Z0-9]{4}/.test(c.text),
    re: /\b([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?)\b/g,
    group: 1,
    accept: (m) => ibanValid(m[1]),
  },
  // Account numbers: 8-19 digits (spaces or dashes allowed) after an account word.
  {
    category: 'account',
    gate: (c) => c.facts.longestNumber >= 8,
    re: /(?<![\w.,-])(\d[\d -]{6,22}\d)(?![\w-]|[.,]\d)/g,
    group: 1,
    accept: (m) => {
      const n = digitsOf(m[1]).length;
      return n >= 8 && n <= 19 && ACCOUNT_CUE.test(before(m, 40));
    },
  },
  {
    category: 'mrn',
    gate: (c) => has(c, CUES.bit.mrn) && /\d[\d-]{3,14}\d/.test(c.text),
    rank: 'ssn',
    re: /\b(?:MRN|MR#|MR No\.?|Medical record(?: number| no\.?| #)?|Record #|Chart(?: #| no\.?| number)|Acct(?:\.|ount)?(?: #| no\.?| number)?|Account #|Member ID|Policy(?: #| no\.?| number)|Health plan(?: ID| #)|Beneficiary(?: ID| #)|License(?: #| no\.?)|Patient ID|Pt ID|Encounter #)\s*[:#]?\s*([A-Z]{0,3}-?\d[\d-]{3,14}\d)\b/gi,
    group: 1,
  },
  // Bare long digit runs look like record numbers; 7+ digits rules out doses, counts and years.
  { category: 'mrn', gate: digitCue, re: /(?<![\d.,$-])(\d{7,12})(?![\d.,%]|\s*(?:mg|mcg|g|ml|mL|units?|IU|cells|\/))/g, group: 1 },
  // Licence, certificate, plate, vehicle, device and serial numbers: a code with a digit after its word.
  {
    category: 'licence',
    gate: (c) => has(c, CUES.bit.licence) && digitCue4(c),
    re: /(?<![\w-])([A-Za-z]{0,4}[-]?\d[A-Za-z0-9-]{3,20}|[A-Za-z]{1,4}\d[A-Za-z0-9-]{2,20})(?![\w-])/g,
    group: 1,
    accept: (m) => digitsOf(m[1]).length >= 4 && LICENCE_CUE.test(before(m, 30)),
  },
  // MAC addresses (device identifiers) are shaped enough to need no context.
  { category: 'licence', gate: (c) => c.facts.macShape, re: /\b((?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2})\b/g, group: 1 },
  // Numeric dates, month or day first ("03/14/1950", "14.03.1950", "25/12/80"), the same separator twice.
  {
    category: 'date',
    gate: digitCue,
    re: /(?<![\d/.-])((\d{1,2})([/.-])(\d{1,2})\3((?:19|20)?\d{2}))(?![\d/-]|\.\d)/g,
    group: 1,
    // "120/80/20" style blood pressure triplets are not dates: month and day must be in range one way round.
    accept: (m) => {
      const a = Number(m[2]);
      const b = Number(m[4]);
      return a >= 1 && b >= 1 && ((a <= 12 && b <= 31) || (b <= 12 && a <= 31));
    },
  },
  { category: 'date', gate: digitCue, re: /(?<![\d-])((?:19|20)\d{2}([-/.])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12]\d|3[01]))(?![\d-])/g, group: 1 },
  // Month and day without a year ("3/14") only after a word that introduces a date. The pattern starts at the
  // digits, so the engine skips to them; the word is checked only where a month and day stand.
  {
    category: 'date',
    gate: (c) => c.facts.digitSlashDigit,
    re: /((?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12]\d|3[01]))(?![\d/]|\.\d)/g,
    group: 1,
    accept: (m) => DATE_WORD_BEFORE.test(before(m, 40)),
  },
  { category: 'date', gate: hasMonth, re: new RegExp(`\\b(${MONTH}\\s+${DAY}(?:,?\\s+(?:19|20)\\d{2})?)(?![\\d:])`, 'g'), group: 1 },
  { category: 'date', gate: hasMonth, re: new RegExp(`\\b(${DAY}(?:\\s+of)?[\\s-]+${MONTH}(?:,?[\\s-]+(?:19|20)?\\d{2})?)\\b`, 'g'), group: 1, accept: (m) => !/^\d+\s+May$/.test(m[1]) || /\d{2}$/.test(m[1]) },
  { category: 'date', gate: hasMonth, re: new RegExp(`\\b(${MONTH}\\s+(?:19|20)\\d{2})\\b`, 'g'), group: 1 },
  // A month named alone is a date element too ("seen in November"); "May" and "March" alone are too often words.
  { category: 'date', gate: hasMonth, re: /\b(January|February|April|June|July|August|September|October|November|December)\b/g, group: 1 },
  {
    category: 'address',
    gate: cue('street'),
    re: new RegExp(`(?<![\\p{L}\\d])(\\d{1,6}[A-Za-z]?\\s+(?:\\d{1,5}\\s+)?(?:[NSEW]\\.?\\s+)?(?:${NAME_WORD}|\\d{1,3}(?:st|nd|rd|th))(?:\\s+${NAME_WORD}){0,2}\\s+${STREET_SUFFIX}${UNIT}?)`, 'gu'),
    group: 1,
  },
  // Street name then house number ("Hjellestadnipen 66", "Via Pasquale Scura 127", "ul. Okólna 133", "Király u. 23.")
  // or house number then street name without a suffix word, both only after a word that says an address follows.
  {
    category: 'address',
    gate: hasAddressCue,
    re: new RegExp(`(?<![\\p{L}\\p{N}])((?:(?:ul|al|u)\\.\\s*)?${CAP_RUN}[ \\t]+\\d{1,5}[A-Za-z]?\\.?(?:[ \\t]*[-/][ \\t]*\\d{1,4})?${UNIT}?|\\d{1,6}[A-Za-z]?(?:[ \\t]+\\d{1,5})?[ \\t]+${STREET_PREFIX}${CAP_RUN}(?:[ \\t]+\\d{1,5}[A-Za-z]?)?${UNIT}?)(?![\\p{L}\\p{N}])`, 'gu'),
    group: 1,
    accept: (m) => (ADDRESS_CUE.test(before(m, 40)) || ADDRESS_CUE_FAR.test(before(m, 90)) || ADDRESS_LINE.test(m[1]) && LINE_OPENING.test(before(m, 8))) && !NOT_A_STREET.test(m[1]) && !DOSE_AFTER.test(after(m, 12)) && !/^(?:Grade|Stage|Type|Class|Level|Step|Day|Week|Bed|Room|Page|Version|Chapter|Section|Table|Figure|Case|Question|Item|Patient|Part|Phase|Cycle|Dose|Visit|Year|Age|Score|Total|Zone|Lead|Ward|Floor|ICD|CPT|HbA1c|COVID|Tier)\b/.test(m[1]),
  },
  // A house-number line whose street has lower-case words ("77780 Luite tee 87", "56326 65 Rue de l'Etoile 4"),
  // when the lines after it read as the rest of an address (a unit, a place, a postcode).
  {
    category: 'address',
    gate: hasAddressCue,
    re: new RegExp(`(?<=(?:^|\\n)[ \\t]*${BULLET})(\\d{1,6}[A-Za-z]?[ \\t]+(?:\\d{1,5}[ \\t]+)?${STREET_PREFIX}\\p{Lu}[\\p{L}\\p{M}'’.-]*(?:[ \\t]+[\\p{L}\\p{M}'’.-]+){0,4}(?:[ \\t]+\\d{1,5}[A-Za-z]?)?)(?=[ \\t]*\\n)`, 'gu'),
    group: 1,
    accept: (m) => {
      if (NOT_A_STREET.test(m[1])) return false;
      const rest = ADDRESS_AFTER.exec(m.input.slice(m.index + m[0].length, m.index + m[0].length + 160));
      // The lines after must hold an apartment or suite, or a postcode: a place name alone follows list items too.
      // Without a number closing the street line, only an apartment or suite will do.
      return rest !== null && (/\d$/.test(m[1]) ? /\b(?:Apt|Apartment|Unit|Suite|Ste|Flat)\b|\d{4}/ : /^[\s?•·*]*(?:Apt|Apartment|Unit|Suite|Ste|Flat)\b/).test(rest[1]);
    },
  },
  { category: 'address', gate: (c) => has(c, CUES.bit.box) && /[Bb][Oo][Xx]\s+\d/.test(c.text), re: /\b((?:P\.?\s?O\.?\s+|PSC\s+\d+,\s*|Unit\s+\d+\s+|Post)Box\s+\d+|Postfach\s+\d+)\b/gi, group: 1 },
  // Places smaller than a state named after "lives in", "from", "based in" ("from Kraków", "lives in Sint-Huibrechts-Hern").
  {
    category: 'address',
    gate: (c) => has(c, CUES.bit.place) && PLACE_CUE_ANYWHERE.test(c.text),
    re: /(?<=\b(?:in|at|to|from|of|is|near|[Hh]ome:|[Cc]ity:|[Tt]own:)\s+)(\p{Lu}[\p{L}\p{M}'’-]+(?:[ \t]+\p{Lu}[\p{L}\p{M}'’-]+){0,2})/gu,
    group: 1,
    accept: (m) => PLACE_CUE.test(before(m, 40)) && isPlaceName(m[1]) && !/^\p{Lu}{1,3}$/u.test(m[1]),
  },
  // A town before a comma and a state or country: "Lyon, France", "Springfield, Illinois", "Boston, MA." (a state's
  // code only at a sentence or line end or before a ZIP code; MD, PA and MS, which are also credentials, only
  // before a ZIP code). States and countries themselves are no Safe Harbor identifiers and are left out.
  {
    category: 'address',
    gate: (c) => has(c, CUES.bit.stateOrCountry) && STATE_OR_COUNTRY_AFTER_COMMA.test(c.text),
    re: new RegExp(`(?<![\\p{L}\\p{M}'’-])(${PLACE_RUN}),[ \\t]+(?:${STATE_OR_COUNTRY})`, 'gu'),
    group: 1,
    // One everyday word is no town ("Warm, France"); several capitalised ones are ("Salt Lake City, Utah").
    accept: (m) => !STATE_OR_COUNTRY_NAME.has(m[1]) && (/[ \t]/.test(m[1]) || !(isEverydayWord(m[1]) || PLACE_STOP.has(m[1].toLowerCase()))),
  },
  // The gate is the pattern's shape without the list of states: much cheaper, and false in most clinical text.
  { category: 'zip', gate: (c) => c.facts.capsThenFiveDigits, re: new RegExp(`\\b(?:${STATES}|AE|AP|AA)\\s+(\\d{5}(?:-\\d{4})?)\\b`, 'g'), group: 1 },
  { category: 'zip', gate: (c) => has(c, CUES.bit.zip) && /\d{3}/.test(c.text), re: /\b(?:zip|zip code|postal code|zipcode|postcode|post code|PLZ|CEP)(?:\s*(?:[:#=]|is|was|of))?\s*([A-Z]{0,2}-?\d{2,6}(?:[ -]\d{2,4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b/gi, group: 1 },
  // UK and Canadian postcodes are shaped enough on their own.
  { category: 'zip', gate: (c) => c.facts.capitalDigit && /[A-Z]\d[A-Z\d]? ?\d[A-Z]/.test(c.text), re: /\b([A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d)\b/g, group: 1 },
  {
    category: 'age',
    gate: digitCue,
    re: /\b((?:9\d|1[0-1]\d))(?:\s*-?\s*(?:year|yr)s?\s*-?\s*old|\s*(?:yo|y\/o|y\.o\.)\b|\s*(?:years?|yrs?)\s+of\s+age)/gi,
    group: 1,
  },
  { category: 'age', gate: (c) => has(c, CUES.bit.age) && /(?:9|1[01])\d\b/.test(c.text), re: /\b(?:aged?|age:|age is|age of)\s*((?:9\d|1[0-1]\d))\b(?!\s*(?:mg|kg|%|mmHg|bpm))/gi, group: 1 },
];

const NI_SHAPE = /[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Z]/;
export const PLACE_CUE_ANYWHERE = /\b(?:(?:[Ss]treet|[Rr]oad|[Aa]venue|[Ll]ane|[Ss]quare|am|I'm|[Ww]e're|[Ww]e are|[Tt]hey're|[Tt]hey are)\s+in|[Ll]ive[sd]?|[Ll]iving|[Rr]esid\w+|[Bb]orn|[Mm]oved|[Rr]elocated|[Bb]ased|[Ss]taying|[Aa]rrived|[Rr]eturned|[Tt]ravel\w*|[Vv]isit\w*|[Tt]own|[Vv]illage|[Ss]uburb|[Oo]utskirts|[Tt]rip|[Ff]light|[Ff]l(?:y|ew|ying)|[Dd]r(?:ive|ove|iving)|[Hh]ead(?:ed|ing)|[Ww]eather|[Hh]otel|[Ll]ocated|[Ss]ituated|(?:Inc|Ltd|LLC|Corp|Corporation|Company|Co|PLC|plc|AG|SA|GmbH|NV|BV|AB|ASA|Group|Holdings)\.?\s+in|[Oo]riginally|[Gg]rew up|[Hh]ometown|[Cc]ity|[Ff]rom|[Nn]ear|[Hh]ome:|[Cc]ity:|[Tt]own:)\s+(?:\w+\s+)?\p{Lu}/u;
/** A number then a unit of dose or time is no house number (the unit a whole word: "L" does not end in "Lääne"). */
/** A unit right after the closing number makes "3 Keflex 500" an order ("… 500 mg tablets"), not a street and house number. */
const DOSE_AFTER = /^[ \t]*(?:mg|mcg|µg|g|kg|ml|mL|L|IU|units?|mmol|mEq|%)(?![\p{L}\p{N}])/u;
const NOT_A_STREET = /^\d+\s+(?:[Uu]nits?|mg|mcg|g|kg|ml|mL|L|IU|days?|weeks?|months?|years?|hours?|times?|doses?|tablets?|capsules?|Tablets?|Days?|Weeks?|Hours?)(?![\p{L}\p{N}])/u;
/** A line that opens with a house number and ends with another number or a unit ("083 Favoritenstrasse 36"). */
const ADDRESS_LINE = /^\d{1,6}[A-Za-z]?[ \t]+\D+\d/;
/** The start of a line, past any bullet or placeholder marks ("• ", "??? "). */
const LINE_OPENING = new RegExp(`(?:^|\\n)[ \\t]*${BULLET}$`);
export const ADDRESS_CUE_ANYWHERE = new RegExp(
  `(?:^|\\n)[ \\t]*${BULLET}\\d{1,6}[A-Za-z]?[ \\t]+(?:\\d{1,5}[ \\t]+)?${STREET_PREFIX}\\p{Lu}|\\b(?:[Aa]ddress|[Aa]ddr|[Ll]ive[sd]?|[Ll]iving|[Rr]esid\\w+|[Ll]ocated|[Ss]ituated|[Mm]eet|[Ss]hip|[Dd]eliver|[Ss]en[dt]|[Mm]ail|[Rr]eturn|[Mm]oved|[Oo]ffice|[Rr]estaurant|[Tt]axi|drops?)\\b`,
  'u',
);
const ADDRESS_AFTER = new RegExp(
  `^((?:[ \\t]*(?:,|\\n)[\\s]*${BULLET}(?:(?:Apt|Apartment|Unit|Suite|Ste|Flat)\\b\\.?[ \\t]*\\w+|[A-Z]{2}[ \\t]+\\d{5}(?:-\\d{4})?|(?:\\d{2}-\\d{3}|\\d{3,6}(?:[ -]\\d{2,4})?)(?:[ \\t]+${PLACE_RUN})?|${PLACE_RUN}(?:[ \\t]+(?:[A-Z]{2}[ \\t]+)?\\d{3,6}(?:[ -]\\d{2,4})?)?)){1,5})`,
  'u',
);

/** A place name is capitalised words that are not everyday words, months or titles. */
function isPlaceName(s: string): boolean {
  return s.split(/[ \t]+/).every((w) => !PLACE_STOP.has(w.toLowerCase()) && !isEverydayWord(w));
}
const PLACE_STOP = new Set(['the', 'a', 'an', 'my', 'our', 'his', 'her', 'their', 'this', 'that', 'which', 'what', 'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'english', 'spanish', 'french', 'german', 'i', 'dr', 'mr', 'mrs', 'ms']);

/** Every identifier span in `text`, sorted, with overlapping findings of the same category merged. */
export function detectPhi(text: string): PhiFinding[] {
  // Fast reject: every detector needs a digit, an '@', a 'www' or a capital letter (of any script).
  if (!/[\d@]|www|\p{Lu}/u.test(text)) return [];
  // Line breaks escaped twice ("\\n" as two characters, common in exported JSONL) separate lines too; the
  // replacement keeps every offset.
  const source = text;
  if (text.includes('\\')) text = text.replace(/\\[nrt]/g, '\n ');
  const c: ScanContext = { text, facts: textFacts(text, CUES) };
  const found: Ranked[] = [];
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
      found.push({ category: d.category, start, end: start + value.length, text: value, ...(d.rank ? { rank: d.rank } : {}) });
    }
  }
  extendAddresses(text, found);
  for (const n of findPersonNames(text)) found.push({ category: 'name', start: n.start, end: n.end, text: text.slice(n.start, n.end) });
  // A letterhead: a line of two or three capitalised words above an address or a phone number within a few lines.
  if (found.some((f) => CONTACT_KINDS.has(f.category))) {
    for (const n of headerLines(text)) {
      const horizon = text.slice(n.end).split('\n', 6).join('\n').length + n.end;
      if (found.some((f) => CONTACT_KINDS.has(f.category) && f.start >= n.end && f.start <= horizon)) found.push({ category: 'name', start: n.start, end: n.end, text: text.slice(n.start, n.end) });
    }
  }
  return resolveOverlaps(found).map((f) => (text === source ? f : { ...f, text: source.slice(f.start, f.end) }));
}

const HOUSE_NUMBER_BEFORE = /(?<![\w.,/-])\d{1,6}[A-Za-z]?[ \t]+$/;
const CONTACT_KINDS = new Set<PhiCategory>(['address', 'zip', 'phone', 'fax', 'email']);

/** An address runs on over the lines or commas that follow it with a city, region, country or postcode. */
function extendAddresses(text: string, found: PhiFinding[]): void {
  for (const f of found) {
    if (f.category !== 'address') continue;
    // A house number just before a street found by its name and number ("893 Via Leopardi 83", "89611 P.O. Box 52").
    const house = HOUSE_NUMBER_BEFORE.exec(text.slice(Math.max(0, f.start - 16), f.start));
    // The number must start inside the window (or the window start the text), never cut out of a longer one.
    if (house && (house.index > 0 || f.start <= 16) && /^\p{Lu}/u.test(f.text)) {
      f.start -= house[0].length;
      f.text = text.slice(f.start, f.end);
    }
    const m = ADDRESS_AFTER.exec(text.slice(f.end, f.end + 160));
    if (!m) continue;
    // Stop before another identifier (a ZIP code, a phone number): it keeps its own kind.
    let len = m[1].length;
    // Another address (a town found on its own) is taken into this one; overlapping addresses merge below.
    for (const o of found) if (o !== f && o.category !== 'address' && o.start >= f.end && o.start < f.end + len) len = o.start - f.end;
    f.end += m[1].slice(0, len).replace(/[\s,]+$/, '').length;
    f.text = text.slice(f.start, f.end);
  }
}

/** Precedence when two categories claim the same characters: the more specific pattern wins. */
const PRIORITY: PhiCategory[] = ['email', 'url', 'ssn', 'account', 'fax', 'phone', 'ip', 'date', 'licence', 'address', 'zip', 'mrn', 'age', 'name'];

function resolveOverlaps(found: Ranked[]): PhiFinding[] {
  const rank = (f: Ranked) => PRIORITY.indexOf(f.rank ?? f.category);
  found.sort((a, b) => rank(a) - rank(b) || a.start - b.start || b.end - a.end);
  const kept: PhiFinding[] = [];
  for (const f of found) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push({ category: f.category, start: f.start, end: f.end, text: f.text });
  return kept.sort((a, b) => a.start - b.start);
}
type Ranked = PhiFinding & { rank?: PhiCategory };
