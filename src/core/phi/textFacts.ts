// One pass over a text's characters that answers the PHI detectors' cheap preconditions ("gates") at once: which
// cue words occur, the longest number-like run, and the digit shapes an identifier needs. A regular expression per
// gate made about twenty passes per field, and validation spent most of its time in them.
//
// Words are maximal runs of ASCII letters. A cue is written as
//   word      the whole word, any case ("fax")
//   Word      the whole word, exactly as written (a capital anywhere makes the entry case-sensitive: "Dr", "RN")
//   word*     any word starting so, three letters or more ("resid*": resides, residing)
//   word#…    the word, then exactly these characters, any case ("plate:", "mr no", "www.")
//   (word     these characters just before the word ("(home)", " dl ")
// A gate built from cues is true whenever the pattern it stands for can match (a superset); detectors whose gate
// is looser than their pattern keep the pattern as a second, exact check.

export type CueSpec<K extends string> = Record<K, readonly string[]>;

interface Entry {
  bit: number;
  /** The word in lower case, or as written when `exact`: a hash hit is checked against it. */
  word: string;
  exact: boolean;
  before?: string;
  after?: string;
}

/** Cue words compiled into hash tables: at most two lookups per word (its whole letters, its first three). */
export interface CueTable<K extends string> {
  bit: Record<K, number>;
  /** Open-addressing table of word hashes: slot → index into `entries`, -1 when empty. */
  slots: Int32Array;
  hashes: Int32Array;
  entries: Entry[][];
  /** Bit n set: some whole-word entry has n letters (other words are not looked up). */
  wordLengths: number;
  /** Prefix entries, by the hash of their first PREFIX_KEY letters: one lookup per word, at its third letter. */
  prefixSlots: Int32Array;
  prefixHashes: Int32Array;
  prefixEntries: Entry[][];
}

const SLOTS = 2048;
/** Letters of a prefix entry that key its lookup; the rest is compared on a hit. */
const PREFIX_KEY = 3;

function hashWord(lower: string): number {
  let h = 0;
  for (let i = 0; i < lower.length; i++) h = (Math.imul(h, 31) + lower.charCodeAt(i)) | 0;
  return h;
}

const slotOf = (h: number) => (h ^ (h >>> 11)) & (SLOTS - 1);

function insert(slots: Int32Array, hashes: Int32Array, entries: Entry[][], h: number, e: Entry): void {
  let s = slotOf(h);
  while (slots[s] !== -1 && hashes[s] !== h) s = (s + 1) & (SLOTS - 1);
  if (slots[s] === -1) {
    slots[s] = entries.length;
    hashes[s] = h;
    entries.push([]);
  }
  entries[slots[s]].push(e);
  // Open addressing needs empty slots to end a probe.
  if (entries.length > SLOTS / 2) throw new Error('too many cue words for the table');
}

export function cueTable<K extends string>(spec: CueSpec<K>): CueTable<K> {
  const keys = Object.keys(spec) as K[];
  if (keys.length > 31) throw new Error('at most 31 cue groups');
  const t: CueTable<K> = {
    bit: Object.fromEntries(keys.map((k, i) => [k, 1 << i])) as Record<K, number>,
    slots: new Int32Array(SLOTS).fill(-1),
    hashes: new Int32Array(SLOTS),
    entries: [],
    wordLengths: 0,
    prefixSlots: new Int32Array(SLOTS).fill(-1),
    prefixHashes: new Int32Array(SLOTS),
    prefixEntries: [],
  };
  keys.forEach((k, i) => {
    for (const cue of spec[k]) {
      const m = /^([^A-Za-z]*)([A-Za-z]+)(\*?)(.*)$/s.exec(cue);
      if (!m || (m[3] && m[4])) throw new Error(`bad cue "${cue}"`);
      const [, before, word, prefix, after] = m;
      const exact = /[A-Z]/.test(word);
      const e: Entry = { bit: 1 << i, word: exact ? word : word.toLowerCase(), exact, ...(before ? { before } : {}), ...(after ? { after: after.toLowerCase() } : {}) };
      const h = hashWord(word.toLowerCase());
      if (prefix) {
        if (word.length < PREFIX_KEY) throw new Error(`cue prefix shorter than ${PREFIX_KEY} letters: "${cue}"`);
        insert(t.prefixSlots, t.prefixHashes, t.prefixEntries, hashWord(word.slice(0, PREFIX_KEY).toLowerCase()), e);
      } else {
        if (word.length > 30) throw new Error(`cue word too long: "${cue}"`);
        t.wordLengths |= 1 << word.length;
        insert(t.slots, t.hashes, t.entries, h, e);
      }
    }
  });
  return t;
}

function lookup(slots: Int32Array, hashes: Int32Array, entries: Entry[][], h: number): Entry[] | undefined {
  let s = slotOf(h);
  for (;;) {
    const at = slots[s];
    if (at === -1) return undefined;
    if (hashes[s] === h) return entries[at];
    s = (s + 1) & (SLOTS - 1);
  }
}

/** The bits of the entries that hold for the word [start, wordEnd) (a hash hit is checked for real). */
function matches(text: string, start: number, wordEnd: number, list: Entry[]): number {
  let bits = 0;
  const word = text.slice(start, wordEnd);
  for (const e of list) {
    if ((e.exact ? word : word.toLowerCase()) !== e.word) continue;
    if (e.before !== undefined && !precededBy(text, start, e.before)) continue;
    if (e.after !== undefined && text.slice(wordEnd, wordEnd + e.after.length).toLowerCase() !== e.after) continue;
    bits |= e.bit;
  }
  return bits;
}

/** The bits of the prefix entries that the word starting at `start` begins with. */
function prefixMatches(text: string, start: number, list: Entry[]): number {
  let bits = 0;
  for (const e of list) {
    const head = text.slice(start, start + e.word.length);
    if ((e.exact ? head : head.toLowerCase()) === e.word && (e.before === undefined || precededBy(text, start, e.before))) bits |= e.bit;
  }
  return bits;
}

const precededBy = (text: string, start: number, before: string) => start >= before.length && text.slice(start - before.length, start) === before;

export interface TextFacts {
  /** Cue groups with at least one cue in the text (CueTable.bit). */
  cues: number;
  /** Most digits in one number-like run (digits joined by one or two spaces, dots, dashes, slashes or brackets: "(022) 7174-864"). */
  longestNumber: number;
  /** The text matches /\d{3}[\s.)-]{1,2}\d{2}|\d\.\d{1,3}\.\d{1,3}\.\d|\d{7}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}|\d{4}-\d{2}-\d{2}|(?:9|1[01])\d\s*-?\s*[yY]/. */
  digitShape: boolean;
  /** A digit, a slash and a digit ("3/14", "120/80"). */
  digitSlashDigit: boolean;
  /** /[A-Z]{2}\s+\d{5}/: a state code before a ZIP code. */
  capsThenFiveDigits: boolean;
  /** /[A-Z]\d/: an ASCII capital just before a digit (postcode and IBAN shapes need one). */
  capitalDigit: boolean;
  /** /[A-Z] ?\d/: the same, or with one space between (the NI number shape needs one). */
  capitalNearDigit: boolean;
  /** /[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]/: the start of a MAC address. */
  macShape: boolean;
  /** /[0-9a-fA-F]:[0-9a-fA-F]{1,4}:[0-9a-fA-F]/: the start of an IPv6 address. */
  ipv6Shape: boolean;
  /** A line (or the text) whose first character past spaces and bullet marks is a digit. */
  lineOpensWithDigit: boolean;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
const isCapital = (c: number) => c >= 65 && c <= 90;
/** JavaScript's \s. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
/** Bullet marks a line may open with before its number (BULLET in textPatterns.ts: ?, •, ·, *). */
const isBulletMark = (c: number) => c === 63 || c === 0x2022 || c === 0xb7 || c === 42;

/** Length of the digit run starting at i. */
function digitsAt(text: string, i: number): number {
  let j = i;
  while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  return j - i;
}

/** Whether one of the digit shapes of TextFacts.digitShape matches with a digit run [s, e) in it. */
function digitShapeAt(text: string, s: number, e: number): boolean {
  const len = e - s;
  if (len >= 7) return true;
  const next = e < text.length ? text.charCodeAt(e) : -1;
  // \d{3}[\s.)-]{1,2}\d{2}
  const sepA = (c: number) => isSpace(c) || c === 46 || c === 41 || c === 45;
  if (len >= 3 && sepA(next)) {
    if (digitsAt(text, e + 1) >= 2) return true;
    if (e + 1 < text.length && sepA(text.charCodeAt(e + 1)) && digitsAt(text, e + 2) >= 2) return true;
  }
  // \d\.\d{1,3}\.\d{1,3}\.\d
  if (next === 46) {
    let j = e + 1;
    let ok = true;
    for (let part = 0; part < 2 && ok; part++) {
      const n = digitsAt(text, j);
      ok = n >= 1 && n <= 3 && text.charCodeAt(j + n) === 46;
      j += n + 1;
    }
    if (ok && digitsAt(text, j) >= 1) return true;
  }
  // \d{1,2}[/.-]\d{1,2}[/.-]\d{2} and \d{4}-\d{2}-\d{2}
  if (next === 47 || next === 46 || next === 45) {
    const n = digitsAt(text, e + 1);
    const sep2 = text.charCodeAt(e + 1 + n);
    if (n >= 1 && n <= 2 && (sep2 === 47 || sep2 === 46 || sep2 === 45) && digitsAt(text, e + 2 + n) >= 2) return true;
    if (len >= 4 && next === 45 && n === 2 && sep2 === 45 && digitsAt(text, e + 4) >= 2) return true;
  }
  // (?:9|1[01])\d\s*-?\s*[yY]
  const nine = len >= 2 && text.charCodeAt(e - 2) === 57;
  const hundred = len >= 3 && text.charCodeAt(e - 3) === 49 && (text.charCodeAt(e - 2) === 48 || text.charCodeAt(e - 2) === 49);
  if (nine || hundred) {
    let j = e;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 45) j++;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    if ((text.charCodeAt(j) | 0x20) === 121) return true;
  }
  return false;
}

/** /[A-Z]{2}\s+/ just before position s. */
function capsBefore(text: string, s: number): boolean {
  let j = s - 1;
  if (j < 0 || !isSpace(text.charCodeAt(j))) return false;
  while (j >= 0 && isSpace(text.charCodeAt(j))) j--;
  return j >= 1 && isCapital(text.charCodeAt(j)) && isCapital(text.charCodeAt(j - 1));
}

/** /[0-9a-fA-F]:[0-9a-fA-F]{1,4}:[0-9a-fA-F]/ with its first colon at i. */
function ipv6At(text: string, i: number): boolean {
  if (i < 1 || !isHex(text.charCodeAt(i - 1))) return false;
  let j = i + 1;
  while (j < text.length && j - i <= 5 && isHex(text.charCodeAt(j))) j++;
  const n = j - i - 1;
  return n >= 1 && n <= 4 && text.charCodeAt(j) === 58 && isHex(text.charCodeAt(j + 1));
}

/** /[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]/ with its first separator at i. */
function macAt(text: string, i: number): boolean {
  const sep = text.charCodeAt(i + 3);
  return i >= 2 && isHex(text.charCodeAt(i - 2)) && isHex(text.charCodeAt(i - 1)) && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2)) && (sep === 58 || sep === 45);
}

export function textFacts<K extends string>(text: string, table: CueTable<K>): TextFacts {
  let cues = 0;
  let longestNumber = 0;
  let digitShape = false;
  let digitSlashDigit = false;
  let capsThenFiveDigits = false;
  let capitalDigit = false;
  let capitalNearDigit = false;
  let macShape = false;
  let ipv6Shape = false;
  let lineOpensWithDigit = false;
  const n = text.length;
  const wordLengths = table.wordLengths;
  // The word being read: start, letters, hash of its lower-case letters.
  let wordStart = 0;
  let wordLen = 0;
  let h = 0;
  // The digit run being read, and the number-like run (longestNumber) it belongs to.
  let runStart = -1;
  let number = 0;
  let sep = 0;
  // Whether only spaces and bullet marks came since the line began.
  let lineStart = true;
  const closeRun = (i: number) => {
    if (!digitShape && digitShapeAt(text, runStart, i)) digitShape = true;
    if (!capsThenFiveDigits && i - runStart >= 5 && capsBefore(text, runStart)) capsThenFiveDigits = true;
    runStart = -1;
  };
  // One step past the end (ch -1) closes the last word and digit run.
  for (let i = 0; i <= n; i++) {
    const ch = i < n ? text.charCodeAt(i) : -1;
    const folded = ch | 0x20;
    if (folded >= 97 && folded <= 122) {
      // Letters, the most common characters, take this short path; what a letter ends is ended at a word's first.
      if (wordLen === 0) {
        if (runStart >= 0) closeRun(i);
        wordStart = i;
        h = 0;
        number = 0;
        sep = 0;
        lineStart = false;
      }
      h = (Math.imul(h, 31) + folded) | 0;
      if (++wordLen === PREFIX_KEY) {
        const list = lookup(table.prefixSlots, table.prefixHashes, table.prefixEntries, h);
        if (list !== undefined) cues |= prefixMatches(text, wordStart, list);
      }
      continue;
    }
    if (wordLen > 0) {
      if (wordLen < 31 && (wordLengths >>> wordLen) & 1) {
        const list = lookup(table.slots, table.hashes, table.entries, h);
        if (list !== undefined) cues |= matches(text, wordStart, i, list);
      }
      wordLen = 0;
    }
    // A space between words (the next most common character) changes nothing below.
    if (ch === 32 && number === 0) continue;
    if (ch >= 48 && ch <= 57) {
      if (runStart < 0) {
        runStart = i;
        if (lineStart) lineOpensWithDigit = true;
        const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
        if (isCapital(prev)) capitalDigit = capitalNearDigit = true;
        else if (prev === 32 && i >= 2 && isCapital(text.charCodeAt(i - 2))) capitalNearDigit = true;
        if (prev === 47 && i >= 2 && isDigit(text.charCodeAt(i - 2))) digitSlashDigit = true;
      }
      number++;
      sep = 0;
      if (number > longestNumber) longestNumber = number;
      continue;
    }
    if (runStart >= 0) closeRun(i);
    if (number > 0 && sep < 2 && (ch === 32 || ch === 46 || ch === 45 || ch === 47 || ch === 40 || ch === 41)) sep++;
    else {
      number = 0;
      sep = 0;
    }
    if (ch === 58 || ch === 45) {
      if (!macShape && macAt(text, i)) macShape = true;
      if (ch === 58 && !ipv6Shape && ipv6At(text, i)) ipv6Shape = true;
    }
    if (ch === 10) lineStart = true;
    else if (lineStart && ch !== 32 && ch !== 9 && !isBulletMark(ch)) lineStart = false;
  }
  return { cues, longestNumber, digitShape, digitSlashDigit, capsThenFiveDigits, capitalDigit, capitalNearDigit, macShape, ipv6Shape, lineOpensWithDigit };
}
