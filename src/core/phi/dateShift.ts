// Shifting a date found in text by a number of days, written back in the format it was found in
// ("03/14/1950", "1950-03-14", "March 14, 2023", "14 Mar 2023", "3/14", "November"), so the intervals between
// one patient's dates survive redaction while the dates themselves do not. Undefined when the text is not a
// date this module can read (the caller then uses a placeholder).

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAY_MS = 86_400_000;

function monthIndex(word: string): number {
  const w = word.toLowerCase().replace(/\.$/, '');
  return MONTHS.findIndex((m) => m === w || (w.length >= 3 && m.startsWith(w)));
}

function monthName(i: number, like: string): string {
  const full = MONTHS[i];
  const base = like.replace(/\.$/, '').length <= 4 && like.replace(/\.$/, '').toLowerCase() !== full ? full.slice(0, 3) : full;
  const cased = like[0] === like[0].toUpperCase() ? base[0].toUpperCase() + base.slice(1) : base;
  return like.endsWith('.') && base.length === 3 ? `${cased}.` : cased;
}

/** Zero-padded to the width the original used ("03" → "02", "3" → "2"). */
const pad = (n: number, like: string) => String(n).padStart(like.length, '0');
function shift(y: number, m: number, d: number, days: number): Date | undefined {
  const t = Date.UTC(y, m, d);
  const back = new Date(t);
  if (back.getUTCMonth() !== m || back.getUTCDate() !== d) return undefined;
  return new Date(t + days * DAY_MS);
}
const fullYear = (y: string) => (y.length === 4 ? Number(y) : Number(y) + (Number(y) > 30 ? 1900 : 2000));
const yearLike = (y: number, like: string) => (like.length === 4 ? String(y) : String(y % 100).padStart(2, '0'));
/** A year for dates written without one: a leap year, so 29 February has somewhere to go. */
const NO_YEAR = 2000;

export function shiftDate(text: string, days: number): string | undefined {
  let m: RegExpExecArray | null;
  // 1950-03-14, 1950/03/14, 1950.03.14 (and a time after it, kept)
  if ((m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(.*)$/.exec(text))) {
    const r = shift(Number(m[1]), Number(m[3]) - 1, Number(m[4]), days);
    return r && `${r.getUTCFullYear()}${m[2]}${pad(r.getUTCMonth() + 1, m[3])}${m[2]}${pad(r.getUTCDate(), m[4])}${m[5]}`;
  }
  // 03/14/1950 or 14/03/1950 (day first when the first number cannot be a month), with 2- or 4-digit years
  if ((m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/.exec(text))) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const dayFirst = a > 12;
    const r = shift(fullYear(m[4]), (dayFirst ? b : a) - 1, dayFirst ? a : b, days);
    if (!r) return undefined;
    const mo = pad(r.getUTCMonth() + 1, dayFirst ? m[3] : m[1]);
    const da = pad(r.getUTCDate(), dayFirst ? m[1] : m[3]);
    return `${dayFirst ? da : mo}${m[2]}${dayFirst ? mo : da}${m[2]}${yearLike(r.getUTCFullYear(), m[4])}`;
  }
  // 3/14 (month/day, no year)
  if ((m = /^(\d{1,2})\/(\d{1,2})$/.exec(text))) {
    const r = shift(NO_YEAR, Number(m[1]) - 1, Number(m[2]), days);
    return r && `${pad(r.getUTCMonth() + 1, m[1])}/${pad(r.getUTCDate(), m[2])}`;
  }
  // March 14, 2023 / Mar. 14 / March 14th 2023
  if ((m = /^(\p{L}+\.?)(\s+)(\d{1,2})(st|nd|rd|th)?(?:(,?\s+)(\d{4}))?$/u.exec(text)) && monthIndex(m[1]) >= 0) {
    const r = shift(m[6] ? Number(m[6]) : NO_YEAR, monthIndex(m[1]), Number(m[3]), days);
    if (!r) return undefined;
    const d = r.getUTCDate();
    return `${monthName(r.getUTCMonth(), m[1])}${m[2]}${d}${m[4] ? ordinal(d) : ''}${m[6] ? `${m[5]}${r.getUTCFullYear()}` : ''}`;
  }
  // 14 March 2023 / 14th of March, 2023 / 14-Mar-2023
  if ((m = /^(\d{1,2})(st|nd|rd|th)?(\s+of\s+|\s+|-)(\p{L}+\.?)(?:(,?[\s-]+)(\d{4}|\d{2}))?$/u.exec(text)) && monthIndex(m[4]) >= 0) {
    const r = shift(m[6] ? fullYear(m[6]) : NO_YEAR, monthIndex(m[4]), Number(m[1]), days);
    if (!r) return undefined;
    const d = r.getUTCDate();
    return `${d}${m[2] ? ordinal(d) : ''}${m[3]}${monthName(r.getUTCMonth(), m[4])}${m[6] ? `${m[5]}${yearLike(r.getUTCFullYear(), m[6])}` : ''}`;
  }
  // March 2023 / November (a month alone moves by whole months)
  if ((m = /^(\p{L}+\.?)(?:(\s+)(\d{4}))?$/u.exec(text)) && monthIndex(m[1]) >= 0) {
    const total = (m[3] ? Number(m[3]) : NO_YEAR) * 12 + monthIndex(m[1]) + Math.round(days / 30.44);
    const mi = ((total % 12) + 12) % 12;
    return `${monthName(mi, m[1])}${m[3] ? `${m[2]}${Math.floor(total / 12)}` : ''}`;
  }
  return undefined;
}

function ordinal(d: number): string {
  if (d % 100 >= 11 && d % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][d % 10] ?? 'th';
}
