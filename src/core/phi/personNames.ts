// Person names without a cue word ("Sara Schwarz", "Berta Szöllössy"): runs of capitalised words (any script's
// letters) judged by a name list and an everyday-word list, plus the cue words that make any capitalised run a
// name ("my name is Siiri"). Chosen over an NLP library (compromise, wink-nlp) because it is a set lookup per
// capitalised word: it keeps validation at streaming speed, and on the external sets it found more names.
import { EVERYDAY_WORDS, STRONG_NAMES, WEAK_NAMES } from './data/personNames.generated';

/** S: a name that is no everyday word; W: a name that is also a rarer word ("John", "Smith"); C: an everyday word; U: neither. */
type Tier = 'S' | 'W' | 'C' | 'U';

let tiers: Map<string, Tier> | undefined;
function tierMap(): Map<string, Tier> {
  if (tiers) return tiers;
  const m = new Map<string, Tier>();
  for (const w of EVERYDAY_WORDS.split(' ')) m.set(w, 'C');
  for (const n of WEAK_NAMES.split(' ')) m.set(n.toLowerCase(), 'W');
  for (const n of STRONG_NAMES.split(' ')) m.set(n.toLowerCase(), 'S');
  for (const w of NEVER_NAMES) m.set(w, 'C');
  return (tiers = m);
}

/** Whether `word` (any case) is an everyday English word that is not also a name. */
export function isEverydayWord(word: string): boolean {
  return tierMap().get(word.toLowerCase()) === 'C';
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
];

/** Lower-case words after which a capitalised word is an eponym, not a person ("Parkinson disease", "Foley catheter"). */
const EPONYM_NEXT = /^\s*(?:'s\s+)?(?:disease|syndrome|sign|score|scale|criteria|catheter|stain|test|maneuver|manoeuvre|reflex|palsy|phenomenon|procedure|classification|law|rule|equation|formula|index|type|fracture|tumou?r|lymphoma|sarcoma|cell|cells|node|nodes|block|repair|operation|approach|position|method)\b/i;

// A capitalised word of any script: an upper-case letter, then lower-case letters and marks, with hyphenated or
// apostrophised parts ("Jean-Luc", "O'Brien", "Szöllössy").
const CAP_WORD = /(?<![\p{L}\p{M}\p{N}_'’-])\p{Lu}[\p{Ll}\p{M}]+(?:[-'’]\p{Lu}?[\p{Ll}\p{M}]+)*(?![\p{L}\p{M}\p{N}_])/gu;
/** What may stand between two words of one name: spaces (one line) and an optional middle initial. */
const JOIN = /^[ \t]+(?:\p{Lu}\.[ \t]+)?$/u;
/** Cue words after which a capitalised run is a name whatever the lists say. */
const CUE_BEFORE =
  /(?:\b(?:[Mm]y name is|[Nn]ame(?:d| is|:)|I am|I'm|[Cc]all me|[Tt]his is|[Ss]igned(?: by)?|[Dd]ear|[Hh]i|[Hh]ello|[Tt]hanks|[Rr]egards|[Ss]incerely|[Pp]atient:?|[Pp]t:?|[Ss]on|[Dd]aughter|[Ww]ife|[Hh]usband|[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Pp]artner|[Ff]riend|[Nn]eighbou?r|[Cc]aregiver|[Gg]uardian|[Cc]ontact|[Aa]ttending|PCP|(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Nurse)\.?))[ \t]*$/u;
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

/** Name spans in `text`, in order. */
export function findPersonNames(text: string): NameSpan[] {
  const map = tierMap();
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
    const tier = map.get(m[0].toLowerCase()) ?? (m[0].includes('-') || m[0].includes("'") || m[0].includes('’') ? hyphenTier(m[0], map) : 'U');
    const prev = run[run.length - 1];
    if (prev && !JOIN.test(text.slice(prev.end, start))) flush();
    run.push({ start, end, tier });
  }
  flush();
  return out;
}

function hyphenTier(word: string, map: Map<string, Tier>): Tier {
  const parts = word.split(/[-'’]/).filter(Boolean);
  if (parts.some((p) => map.get(p.toLowerCase()) === 'S')) return 'S';
  if (parts.every((p) => map.get(p.toLowerCase()) === 'C')) return 'C';
  return 'U';
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

function judgePiece(text: string, piece: Word[], out: NameSpan[]): void {
  const start = piece[0].start;
  const end = piece[piece.length - 1].end;
  const before = text.slice(Math.max(0, start - 40), start);
  const cue = CUE_BEFORE.test(before);
  const strong = piece.filter((w) => w.tier === 'S').length;
  const known = piece.filter((w) => w.tier !== 'U').length;
  let name = false;
  if (cue) name = true;
  else if (piece.length >= 2) name = strong >= 1 || known >= 2 || (known >= 1 && piece[0].tier !== 'U');
  else if (piece[0].tier === 'S') {
    // A lone known name: after a comma ("Thanks, Kyle") or inside a sentence, never as an eponym.
    name = /,[ \t]*$/.test(before) || !SENTENCE_START.test(before);
    if (name && EPONYM_NEXT.test(text.slice(end, end + 24))) name = false;
  } else if (piece[0].tier === 'W' || piece[0].tier === 'U') {
    // "John:" opening a line of a transcript.
    name = piece[0].tier === 'W' && /^:/.test(text.slice(end, end + 1)) && /(?:^|\n)[ \t]*$/.test(before);
  }
  if (piece.length >= 2 && !cue && EPONYM_NEXT.test(text.slice(end, end + 24)) && strong <= 1) name = false;
  if (name) out.push({ start, end });
}
