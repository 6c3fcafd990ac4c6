// The one-pass scan that answers the PHI detectors' gates (src/core/phi/textFacts.ts). Each fact is checked against
// the regular expression it stands for, on many generated texts: the shapes must agree exactly, and every cue group
// must be found wherever the pattern it gates could match (a gate may open more often, never less).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cueTable, textFacts } from '../../../src/core/phi/textFacts';
import { ADDRESS_CUE_ANYWHERE, CUES, PHONE_CUE, PHONE_CUE_AFTER, PLACE_CUE_ANYWHERE, STATE_OR_COUNTRY_AFTER_COMMA } from '../../../src/core/phi/detectors';

/** A small deterministic generator (mulberry32), so a failure names a text that fails again. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

/** Strings over the characters the digit shapes turn on. */
function shapeTexts(n: number): string[] {
  const r = rng(7);
  const alphabet = [...'0123456789999911 ./-():yY AB\n\tab•?*,#', '\u00a0', '10', '11', 'Ö', 'MA ', '02139', 'f0:'];
  return Array.from({ length: n }, () => Array.from({ length: Math.floor(r() * 40) }, () => pick(r, alphabet)).join(''));
}

test('the digit shapes agree with their regular expressions', () => {
  const shapes = {
    digitShape: /\d{3}[\s.)-]{1,2}\d{2}|\d\.\d{1,3}\.\d{1,3}\.\d|\d{7}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}|\d{4}-\d{2}-\d{2}|(?:9|1[01])\d\s*-?\s*[yY]/,
    digitSlashDigit: /\d\/\d/,
    capsThenFiveDigits: /[A-Z]{2}\s+\d{5}/,
    capitalDigit: /[A-Z]\d/,
    capitalNearDigit: /[A-Z] ?\d/,
    macShape: /[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]/,
    ipv6Shape: /[0-9a-fA-F]:[0-9a-fA-F]{1,4}:[0-9a-fA-F]/,
    lineOpensWithDigit: /(?:^|\n)[ \t?•·*]*\d/,
  } as const;
  const seen = Object.fromEntries(Object.keys(shapes).map((k) => [k, 0])) as Record<keyof typeof shapes, number>;
  for (const text of [...shapeTexts(40000), '1234567', '555 12', '1.2.3.4', '3/4/21', '2020-01-02', '95 yo', '110-Year', 'MA 02139', 'SW1A 1AA', 'a0:b1:c2', 'fe80::1:2', ' • 12 Oak']) {
    const f = textFacts(text, CUES);
    for (const [k, re] of Object.entries(shapes) as [keyof typeof shapes, RegExp][]) {
      assert.equal(f[k], re.test(text), `${k} of ${JSON.stringify(text)}`);
      if (f[k]) seen[k]++;
    }
  }
  // Every shape was met often enough for the agreement to mean something.
  for (const [k, n] of Object.entries(seen)) assert.ok(n > 50, `${k} true in only ${n} texts`);
});

test('the longest number-like run counts digits joined by at most two separators', () => {
  const reference = (text: string) => Math.max(0, ...[...text.matchAll(/\d+(?:[ ./()-]{1,2}\d+)*/g)].map((m) => m[0].replace(/\D/g, '').length));
  for (const text of [...shapeTexts(20000), '(022) 7174-864', '+46 (0)8 928 571 38', '1   2']) assert.equal(textFacts(text, CUES).longestNumber, reference(text), JSON.stringify(text));
  assert.equal(textFacts('(022) 7174-864', CUES).longestNumber, 10);
});

test('cue words: whole words, prefixes, case, the characters before and after', () => {
  const t = cueTable({ a: ['fax', 'resid*', 'Dr', 'plate:', '(home', ' dl ', 'Tü'], b: ['mr no', 'Jan*'] });
  const groups = (text: string) => Object.entries(t.bit).filter(([, bit]) => (textFacts(text, t).cues & bit) !== 0).map(([k]) => k);
  assert.deepEqual(groups('FAX: 555'), ['a']);
  assert.deepEqual(groups('faxes'), [], 'a whole word is not a prefix');
  assert.deepEqual(groups('Residing at'), ['a']);
  assert.deepEqual(groups('nonresident'), [], 'a prefix starts the word');
  assert.deepEqual(groups('DR Smith, dr Smith'), [], 'a capital makes the entry case-sensitive');
  assert.deepEqual(groups('Dr. Smith'), ['a']);
  assert.deepEqual(groups('plate 12'), []);
  assert.deepEqual(groups('Plate: 12'), ['a']);
  assert.deepEqual(groups('home (Home)'), ['a']);
  assert.deepEqual(groups('home'), []);
  assert.deepEqual(groups('mg/dL 5'), []);
  assert.deepEqual(groups('a dl 5'), ['a']);
  assert.deepEqual(groups('Türkiye'), ['a'], 'a word cut at a non-ASCII letter is matched with it');
  assert.deepEqual(groups('Tunis'), []);
  assert.deepEqual(groups('MR No. 1'), ['b']);
  assert.deepEqual(groups('January, jan'), ['b']);
  assert.deepEqual(groups(`${'x'.repeat(40)} ${'resid'.repeat(9)}`), ['a'], 'long words neither crash nor stop the scan');
  assert.throws(() => cueTable({ a: ['*'] }), /bad cue/);
});

/** Texts made of the cue words the detectors use (in several cases and joined in several ways), other words and numbers. */
function cueTexts(n: number, words: readonly string[]): string[] {
  const r = rng(11);
  const cased = (w: string) => pick(r, [w, w.toLowerCase(), w.toUpperCase(), w[0].toUpperCase() + w.slice(1)]);
  const other = ['the', 'patient', 'In', 'at', 'Boston', 'Lyon', 'France', 'new', 'York', 'MA', 'of', 'is', 'my', 'Oak', 'x', 'é', 'Ölz', '12', '02139', '555-0142', 'Jane', 'Doe', 'we', 'are', 'Box 12', 'PO Box 7'];
  const joins = [' ', ' ', ' ', '', ', ', ': ', '\n', '. ', '(', ')', "'", '-', '/', '#', ' \t'];
  return Array.from({ length: n }, () => {
    let s = '';
    for (let k = Math.floor(r() * 12); k >= 0; k--) s += cased(r() < 0.5 ? pick(r, words) : pick(r, other)) + pick(r, joins);
    return s;
  });
}

test('every gate opens wherever the pattern it stands for could match', () => {
  const STATES = 'AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC'.split('|');
  /** Each cue group's pattern: the regular expressions the gates ran before the one-pass scan, or the words its detector's own pattern starts with. */
  const patterns: Record<keyof typeof CUES.bit, RegExp> = {
    licence: /\b(?:licen|driver|permit|certif|passport|plate[ :#]|registration|vin[ :#]|vehicle|serial|s\/n|device|implant|pacemaker|imei|udi |badge|npi|dea[ #]|identifier|id card)| dl |\bdl[#:]| sn /i,
    mrn: /\b(?:MRN|MR#|MR No|Medical record|Record|Chart|Acct|Account|Member ID|Policy|Health plan|Beneficiary|License|Patient ID|Pt ID|Encounter)/i,
    zip: /\b(?:zip|postal|postcode|post code)/i,
    ssn: /\b(?:SSN|Social Sec)/i,
    fax: /\bfax/i,
    www: /\bwww\./i,
    age: /\bage/i,
    box: /\b(?:Post)?Box\s+\d/i,
    label: /\b(?:Patient|Pt|Name|Signed|Attending|PCP|Contact|Emergency contact|Guardian|Son|Daughter|Wife|Husband)\s*:/,
    relation: /\b(?:son|daughter|wife|husband|mother|father|brother|sister|partner|friend|neighbor|caregiver)\s+[A-Z]/,
    nameCue: /\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Nurse|RN|NP|PA)\.?\s+[A-Z]|,\s+(?:MD|DO|RN|NP|PA-C|PhD)\b/,
    month: /\b(?:Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec)/,
    street: /\b(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Causeway|Crescent|Cres|Close|Row|Walk|Alley|Plaza|Trail|Trl|Loop|Pike|Mews|Gardens|Grove|Hill|Park|Ridge|View|Heights|Fork|Falls|Junction|Jct|Port|Point|Pt|Crossing|Xing|Estates|Meadows|Springs|Station)\b/,
    phone: new RegExp(`${PHONE_CUE.source.replace(/\$$/, '')}|${PHONE_CUE_AFTER.source.replace(/^\^/, '')}`, 'i'),
    place: PLACE_CUE_ANYWHERE,
    addressCue: ADDRESS_CUE_ANYWHERE,
    stateOrCountry: STATE_OR_COUNTRY_AFTER_COMMA,
  };
  const words = [
    ...'licence license drivers driver permit certificate passport plate registration VIN vehicle serial S/N device implant pacemaker IMEI UDI badge NPI DEA identifier ID card DL SN'.split(' '),
    ...'MRN MR# Medical record Chart Acct Account Member ID Policy Health plan Beneficiary Patient Pt Encounter zip postal postcode post code SSN Social Security fax www. age aged Box PO Postbox'.split(' '),
    ...'Name Signed Attending PCP Contact Emergency Guardian son daughter wife husband mother father brother sister partner friend neighbor caregiver'.split(' '),
    ...'Dr Doctor Mr Mrs Ms Miss Mx Prof Nurse RN NP PA MD DO PhD PA-C Jan January Feb Mar March May Apr Jun July Aug Sep Sept Oct Nov Dec'.split(' '),
    ...'Street St Avenue Ave Road Rd Drive Court Way Place Lane Square Park Station call called phone ph tel telephone mobile cell desk reach ring number text WhatsApp sms dial landline pager'.split(' '),
    ...'home work office lives live lived living resides residing born moved relocated based staying arrived returned traveling visited town village trip flight flew drove headed weather hotel'.split(' '),
    ...'located situated Inc Ltd LLC Co GmbH AG Group originally grew up hometown city from near I\'m they\'re address addr meet ship deliver send sent mail return restaurant taxi drop drops'.split(' '),
    ...STATES,
    ...'Alabama New Hampshire Rhode Island Georgia Türkiye Bosnia and Herzegovina United Kingdom'.split(' '),
  ];
  const opened = Object.fromEntries(Object.keys(patterns).map((k) => [k, 0])) as Record<string, number>;
  for (const text of cueTexts(30000, words)) {
    const cues = textFacts(text, CUES).cues;
    for (const [group, re] of Object.entries(patterns) as [keyof typeof CUES.bit, RegExp][]) {
      if (!re.test(text)) continue;
      opened[group]++;
      // The address cue's line-opening house number is checked apart from the cue words.
      if (group === 'addressCue' && textFacts(text, CUES).lineOpensWithDigit) continue;
      assert.ok((cues & CUES.bit[group]) !== 0, `${group}: ${JSON.stringify(text)} matches ${re} but the cue words missed it`);
    }
  }
  for (const [group, n] of Object.entries(opened)) assert.ok(n > 20, `${group} matched only ${n} generated texts`);
});
