// Person names without a cue word ("Sara Schwarz", "Berta Szöllössy"): runs of capitalised words (any script's
// letters) judged by a name list and an everyday-word list, plus the cue words that make any capitalised run a
// name ("my name is Siiri"). Chosen over an NLP library (compromise, wink-nlp) because it is a set lookup per
// capitalised word: it keeps validation at streaming speed, and on the external sets it found more names.
import { EVERYDAY_WORDS, STRONG_NAMES, WEAK_NAMES } from './data/personNames.generated';
import { BULLET, BULLET_MARK, NAME_WORD } from './textPatterns';

/** S: a name that is no everyday word; W: a name that is also a rarer word ("John", "Smith"); C: an everyday word; U: neither. */
type Tier = 'S' | 'W' | 'C' | 'U';

let strong: Set<string> | undefined;
let weak: Set<string>;
let everyday: Set<string>;
function loadSets(): void {
  strong = new Set(STRONG_NAMES.split(' '));
  weak = new Set(WEAK_NAMES.split(' '));
  everyday = new Set([...EVERYDAY_WORDS.split(' '), ...NEVER_NAMES]);
}
/**
 * Everyday words already looked up: the same ones come back in every record of a dataset ("Temperature",
 * "Discharged"). Only everyday words, so no name from a dataset stays in memory; cleared when full.
 */
const everydayCache = new Set<string>();
function tierOf(lower: string): Tier {
  if (everydayCache.has(lower)) return 'C';
  const tier = lookupTier(lower);
  if (tier === 'C') {
    if (everydayCache.size >= 50_000) everydayCache.clear();
    everydayCache.add(lower);
  }
  return tier;
}
function lookupTier(lower: string): Tier {
  if (!strong) loadSets();
  // Contractions ("We'll", "Don't") are words, never names.
  if (/['’](?:ll|re|ve|d|m|t)$/.test(lower)) return 'C';
  if (everyday.has(lower)) return 'C';
  if (strong!.has(lower)) return 'S';
  if (weak.has(lower)) return 'W';
  // The word lists hold base forms: "tablets", "visited", "billing" are everyday words too.
  const base = /(?:ies|es|s|ed|ing|ly)$/.exec(lower);
  if (base && lower.length - base[0].length >= 3) {
    const stem = lower.slice(0, lower.length - base[0].length);
    if (everyday.has(stem) || everyday.has(`${stem}e`) || (base[0] === 'ies' && everyday.has(`${stem}y`))) return 'C';
  }
  return 'U';
}

/** Whether `word` (any case) is an everyday English word that is not also a name. */
export function isEverydayWord(word: string): boolean {
  return tierOf(word.toLowerCase()) === 'C';
}

/** Capitalised words that are in the name list but in clinical or calendar text rarely are a person. */
const NEVER_NAMES = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'dr', 'mr', 'mrs', 'ms', 'mx', 'prof', 'md', 'rn',
  'st', 'ave', 'rd', 'hwy', 'blvd', 'apt', 'suite', 'unit', 'ste', 'po', 'box', 'via', 'rue', 'calle', 'avenida', 'rua',
  'ed', 'er', 'icu', 'ct', 'mri', 'ecg', 'ekg', 'iv', 'bp', 'hr', 'rr', 'pt', 'ok', 'hi', 'hello', 'dear', 'thanks', 'regards',
  'gram', 'foley', 'apgar', 'glasgow', 'wells', 'curb', 'centor', 'tylenol', 'advil', 'motrin', 'keflex', 'lasix', 'coumadin', 'zestril', 'zocor',
  'english', 'spanish', 'french', 'german', 'american', 'british', 'african', 'asian', 'hispanic', 'latino', 'caucasian',
  'christmas', 'easter', 'covid', 'medicare', 'medicaid', 'summarize', 'classify', 'answer', 'question', 'patient', 'assistant', 'user',
  // Labels of contact and chat lines ("Fax: …", "Bot: …"), which a transcript's "Name:" rule would otherwise take.
  'fax', 'bot', 'desk', 'mobile', 'phone', 'email', 'website', 'european',
];

/** Lower-case words after which a capitalised word is an eponym, not a person ("Parkinson disease", "Foley catheter"). */
const EPONYM_NEXT = /^\s*(?:'s\s+)?(?:class|grade|stage|disease|syndrome|sign|score|scale|criteria|catheter|stain|test|maneuver|manoeuvre|reflex|palsy|phenomenon|procedure|classification|law|rule|equation|formula|index|type|fracture|tumou?r|lymphoma|sarcoma|cell|cells|node|nodes|block|repair|operation|approach|position|method)\b/i;

/** Endings of organism, drug and procedure names, which clinical text capitalises ("Klebsiella", "Enterococcus"). */
const MEDICAL_WORD =
  /(?:ella|coccus|cocci|bacter|monas|myces|bacillus|bacterium|plasma|virus|itis|osis|emia|aemia|oma|pathy|ectomy|otomy|plasty|scopy|gram|ine|olol|pril|sartan|mab|nib|cillin|mycin|cycline|floxacin|azole|statin|pam|lam|done|tide|parin|xaban|gatran|profen|vir|ase|ide|ate|ium|ol|in|ex|ax|ix)$/i;

// A capitalised word of any script: an upper-case letter, then lower-case letters and marks, with hyphenated or
// apostrophised parts ("Jean-Luc", "O'Brien", "Szöllössy").
// A possessive "'s" is not part of the word ("Vadász's" is "Vadász" before a possessive cue).
const CAP_WORD = /(?<![\p{L}\p{M}\p{N}_'’-])\p{Lu}[\p{Ll}\p{M}]+(?:[-'’](?!s(?![\p{L}\p{M}]))\p{Lu}?[\p{Ll}\p{M}]+)*(?![\p{L}\p{M}\p{N}_])/gu;
/** What may stand between two words of one name: spaces (one line) and an optional middle initial. */
const JOIN = /^[ \t]+(?:\p{Lu}\.[ \t]+)?$/u;
/** Cue words after which a capitalised run is a name whatever the lists say. */
const CUE_BEFORE =
  /(?:\b(?:[Mm]y name is|[Nn]ame(?:d(?: him| her| them)?| is|:|\?)|[Ss]aid|[Aa]sked|[Tt]old|[Aa]ccording to|I am|I'm|[Cc]all(?:s|ed)? me|[Cc]alled|[Mm]eet|[Ww]ith|[Tt]ell|[Aa]sk|[Ll]eave me|[Tt]his is|[Ss]igned(?: by)?|[Dd]ear|[Hh]i|[Hh]ello|[Tt]hanks|[Rr]egards|[Ss]incerely|[Pp]atient:?|[Pp]t:?|[Ss]on|[Dd]aughter|[Ww]ife|[Hh]usband|[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Pp]artner|[Ff]riend|[Nn]eighbou?r|[Cc]aregiver|[Gg]uardian|[Cc]ontact|[Aa]ttending|PCP|(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Nurse)\.?|(?<!\d[ \t]?)(?:dr|mr|mrs|ms|mx)\.))[ \t]*$/u;
/** A word addressed by name opening a sentence: "Renátó, can I…", "Sue, please…" (a list of findings is not followed by these). */
const VOCATIVE_AFTER = /^,[ \t]+(?:can|could|would|will|please|do|did|are|is|have|how|what|when|where|why|I|you|we|thanks|thank)\b/;
/**
 * What follows a capitalised run that makes it a person: a possessive ("Koppány Vadász's killers"), an apposition
 * ("Nanase Oyokawa, the production manager"), or a verb people do ("… had given", "… is from", "… said").
 */
const CUE_AFTER =
  /^(?:['’]s[ \t]|,[ \t]+(?:the|a|an|our|my|his|her|their)[ \t]|[ \t]+(?:said|says|told|asked|replied|wrote|had|has|is from|was from|comes from|came from|lives|lived|spent|wants|wanted|listed|thinks|thought|knows|knew|smiled|laughed)\b)/;
const SENTENCE_START = /(?:^|[.!?:;]\s+|\n\s*|["“(]\s*)$/;

export interface NameSpan {
  start: number;
  end: number;
}

interface Word {
  start: number;
  end: number;
  tier: Tier;
}

/**
 * A line of two or three capitalised words (an optional initial between) opening a text or a paragraph, such as
 * the first line of a letterhead or an envelope; detectors.ts takes it as a name when contact lines follow.
 */
const HEADER_LINE = new RegExp(`(?:^|\\n[ \\t]*\\n|^[ \\t]*(?:${BULLET_MARK}))[ \\t]*${BULLET}(${NAME_WORD}(?:[ \\t]+\\p{Lu}\\.?)?(?:[ \\t]+${NAME_WORD}){1,2})[ \\t]*(?=\\n)`, 'gu');

/** Header lines (see HEADER_LINE) whose words are no everyday words: candidates for a name above an address. */
export function headerLines(text: string): NameSpan[] {
  const out: NameSpan[] = [];
  HEADER_LINE.lastIndex = 0;
  for (let m = HEADER_LINE.exec(text); m; m = HEADER_LINE.exec(text)) {
    const words = m[1].split(/[ \t]+/).filter((w) => w.length > 2);
    if (words.every((w) => tierOf(w.toLowerCase()) !== 'C')) {
      const start = m.index + m[0].indexOf(m[1]);
      out.push({ start, end: start + m[1].length });
    }
  }
  return out;
}

/** "'s disease", "'s thyroiditis": a possessive before a disease word or an eponym's noun makes an eponym, not a person. */
function isEponym(after: string): boolean {
  const rest = after.replace(/^['’]s/, '');
  if (EPONYM_NEXT.test(rest)) return true;
  const next = /^[ \t]+(\p{L}+)/u.exec(rest);
  return rest !== after && next !== null && MEDICAL_WORD.test(next[1]);
}

const LIST_NEXT = /^(?:,[ \t]+|[ \t]+(?:and|&)[ \t]+)(\p{Lu}[\p{Ll}\p{M}]+)(?![\p{L}\p{M}])/u;
const LIST_PREV = /(?<![\p{L}\p{M}])(\p{Lu}[\p{Ll}\p{M}]+)(?:,[ \t]+|[ \t]+(?:and|&)[ \t]+)$/u;
/** A word listed beside a known name ("Aslakhanov, Mitchell and Cisneros") is one too, if it is no everyday word. */
function inNameList(text: string, start: number, end: number): boolean {
  const next = LIST_NEXT.exec(text.slice(end, end + 30));
  const prev = LIST_PREV.exec(text.slice(Math.max(0, start - 30), start));
  return (next !== null && tierOf(next[1].toLowerCase()) === 'S') || (prev !== null && tierOf(prev[1].toLowerCase()) === 'S');
}

/** Name spans in `text`, in order. */
export function findPersonNames(text: string): NameSpan[] {
  const out: NameSpan[] = [];
  let run: Word[] = [];
  const flush = () => {
    if (run.length) judgeRun(text, run, out);
    run = [];
  };
  CAP_WORD.lastIndex = 0;
  for (let m = CAP_WORD.exec(text); m; m = CAP_WORD.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    const lower = m[0].toLowerCase();
    let tier = tierOf(lower);
    if (tier === 'U' && /[-'’]/.test(lower)) tier = partsTier(lower);
    const prev = run[run.length - 1];
    if (prev && !joins(text, prev.end, start)) flush();
    run.push({ start, end, tier });
  }
  flush();
  return out;
}

/** "Jean-Luc", "O'Brien": a known name in any part makes the whole a name; everyday words in every part, a word. */
function partsTier(lower: string): Tier {
  const tiers = lower.split(/[-'’]/).filter(Boolean).map(tierOf);
  if (tiers.includes('S')) return 'S';
  return tiers.every((t) => t === 'C') ? 'C' : 'U';
}

/** Whether the characters between two words join them into one name: spaces or tabs, with at most one initial ("K."). */
function joins(text: string, from: number, to: number): boolean {
  if (to - from > 6 || to === from) return false;
  return JOIN.test(text.slice(from, to));
}

/** Splits a run of capitalised words at everyday words and decides which pieces are names. */
function judgeRun(text: string, run: Word[], out: NameSpan[]): void {
  let piece: Word[] = [];
  for (const w of [...run, undefined]) {
    if (w && w.tier !== 'C') {
      piece.push(w);
      continue;
    }
    if (piece.length) judgePiece(text, piece, out);
    piece = [];
  }
}

/** A lone unknown capitalised word inside a sentence is a name unless it looks like a code or a brand ("HbA1c", "Zofran®"). */
function isPlainWord(text: string, w: Word): boolean {
  const s = text.slice(w.start, w.end);
  return s.length >= 3 && !/\p{Lu}/u.test(s.slice(1)) && !/^[®™]/.test(text.slice(w.end, w.end + 1));
}

function judgePiece(text: string, piece: Word[], out: NameSpan[]): void {
  const start = piece[0].start;
  const end = piece[piece.length - 1].end;
  const before = text.slice(Math.max(0, start - 40), start);
  const cue = CUE_BEFORE.test(before);
  const strong = piece.filter((w) => w.tier === 'S').length;
  const known = piece.filter((w) => w.tier !== 'U').length;
  const sentenceStart = SENTENCE_START.test(before);
  const lineStart = /(?:^|\n)[ \t]*$/.test(before);
  const after = text.slice(end, end + 24);
  const vocative = VOCATIVE_AFTER.test(after.slice(0, 16));
  let name = false;
  if (cue) name = true;
  else if (CUE_AFTER.test(after) && !isEponym(after)) name = piece.length >= 2 || isPlainWord(text, piece[0]);
  // Two or more unknown words with a letter beyond ASCII ("Jóhann Brynjólfsson", "Djevad Šušulić"): English clinical
  // words are ASCII; the eponyms that are not come with a disease word after them (checked below).
  else if (piece.length >= 2 && /[^\x00-\x7f]/.test(text.slice(start, end))) name = true;
  else if (piece.length >= 2) name = strong >= 1 || known >= 2 || piece[0].tier === 'W' || !sentenceStart || piece.length >= 3;
  else if (/^[ \t]*:[ \t]*[^\d\s]/.test(text.slice(end, end + 4)) && lineStart) name = piece[0].tier !== 'U'; // "Chloe:" opening a line of a transcript
  else if (piece[0].tier === 'S') name = true;
  else if (inNameList(text, start, end)) name = isPlainWord(text, piece[0]);
  else if (piece[0].tier === 'U') name = (!sentenceStart || vocative) && isPlainWord(text, piece[0]);
  else if (piece[0].tier === 'W') name = vocative && isPlainWord(text, piece[0]);
  if (name && isEponym(after) && strong <= 1) name = false;
  // A saint's name names a herb, a church or a hospital ("St. John's wort", "St. Mary's"), not a person here.
  if (name && /\b(?:St|Saint|Ste)\.?[ \t]+$/.test(before)) name = false;
  // A word addressed by name ("Jakobine, can I…") is a person even when it ends like a drug or an organism.
  if (name && !cue && !vocative && piece.every((w) => w.tier === 'U' && MEDICAL_WORD.test(text.slice(w.start, w.end)))) name = false;
  if (name) out.push({ start, end });
}
