// Redaction of Safe Harbor identifiers in dataset text: typed placeholders ("[NAME]") or surrogates that stay
// consistent within a record and across the records of one patient, with every date of a patient shifted by the
// same number of days (intervals between them survive). Pure: the caller supplies the secret salt that keys
// surrogate choice and date offsets (never written anywhere), and reads/writes files.
import { detectPhi, PHI_CATEGORIES, type PhiCategory } from './detectors';
import { shiftDate } from './dateShift';
import { hash53 } from '../datasets/contentHash';

export type RedactMode = 'placeholder' | 'surrogate';

export const PLACEHOLDERS: Record<PhiCategory, string> = {
  name: '[NAME]',
  mrn: '[MRN]',
  ssn: '[SSN]',
  phone: '[PHONE]',
  fax: '[FAX]',
  email: '[EMAIL]',
  url: '[URL]',
  ip: '[IP]',
  date: '[DATE]',
  address: '[ADDRESS]',
  zip: '[ZIP]',
  age: '[AGE 90+]',
  account: '[ACCOUNT]',
  licence: '[ID]',
};

export interface RedactOptions {
  mode: RedactMode;
  /** Kinds to redact (default: all). */
  kinds?: readonly PhiCategory[];
  /** Findings the workspace allow-list marks as false positives: left as they are. */
  allowed?: (kind: string, text: string) => boolean;
  /** Secret per run: keys surrogate choice and date offsets, so neither can be recomputed from the output. */
  salt: string;
}

export type KindCounts = Partial<Record<PhiCategory, number>>;

// Surrogate material: invented, and in number ranges reserved for fiction or documentation where one exists
// (555-01xx phones, example.org, 192.0.2.0/24, SSNs starting 000, which are never issued).
const FIRST = ['Alex', 'Robin', 'Sam', 'Jordan', 'Casey', 'Morgan', 'Taylor', 'Jamie', 'Avery', 'Riley', 'Quinn', 'Rowan', 'Elliot', 'Hayden', 'Emery', 'Reese'];
const LAST = ['Ashdown', 'Brookfield', 'Calloway', 'Dunmore', 'Everly', 'Fairholm', 'Greaves', 'Hollins', 'Ingram', 'Jessop', 'Kingsley', 'Lowther', 'Marlow', 'Norcott', 'Oakes', 'Pembury'];
const STREETS = ['Elm', 'Birch', 'Alder', 'Hawthorn', 'Linden', 'Juniper', 'Rowan', 'Sycamore'];

export class Redactor {
  private readonly kinds: ReadonlySet<PhiCategory>;
  private readonly surrogates = new Map<string, string>();
  private readonly used = new Map<string, Set<string>>();
  readonly counts: Record<PhiCategory, number> = Object.fromEntries(PHI_CATEGORIES.map((k) => [k, 0])) as Record<PhiCategory, number>;
  allowListed = 0;

  constructor(private readonly opts: RedactOptions) {
    this.kinds = new Set(opts.kinds ?? PHI_CATEGORIES);
  }

  /** `text` with its identifiers replaced; `patient` scopes surrogates and the date offset (a record id when unknown). */
  redact(text: string, patient: string): string {
    const found = detectPhi(text);
    if (found.length === 0) return text;
    let out = '';
    let at = 0;
    for (const f of found) {
      if (!this.kinds.has(f.category)) continue;
      if (this.opts.allowed?.(f.category, f.text)) {
        this.allowListed++;
        continue;
      }
      out += text.slice(at, f.start) + this.replacement(f.category, f.text, patient);
      at = f.end;
      this.counts[f.category]++;
    }
    return out + text.slice(at);
  }

  /** The number of days this patient's dates move (back in time, 1 to 365). */
  dateOffset(patient: string): number {
    return -(1 + (this.hash(`date\u0000${patient}`) % 365));
  }

  private replacement(kind: PhiCategory, original: string, patient: string): string {
    if (this.opts.mode === 'placeholder') return PLACEHOLDERS[kind];
    if (kind === 'date') return shiftDate(original, this.dateOffset(patient)) ?? PLACEHOLDERS.date;
    if (kind === 'age') return '90+';
    const key = `${patient}\u0000${kind}\u0000${original.trim().replace(/\s+/g, ' ').toLowerCase()}`;
    let s = this.surrogates.get(key);
    if (s === undefined) {
      s = this.fresh(kind, original, patient);
      this.surrogates.set(key, s);
    }
    return s;
  }

  /** A surrogate this patient does not use yet for another value of the same kind. */
  private fresh(kind: PhiCategory, original: string, patient: string): string {
    const usedKey = `${patient}\u0000${kind}`;
    const used = this.used.get(usedKey) ?? new Set<string>();
    this.used.set(usedKey, used);
    for (let attempt = 0; ; attempt++) {
      const h = this.hash(`${kind}\u0000${patient}\u0000${original}\u0000${attempt}`);
      const s = surrogateFor(kind, original, h, attempt);
      if (!used.has(s) || attempt > 50) {
        used.add(s);
        return s;
      }
    }
  }

  private hash(s: string): number {
    return hash53(`${this.opts.salt}\u0000${s}`);
  }
}

function digitsLike(original: string, h: number): string {
  let n = h;
  return original.replace(/\d/g, () => {
    const d = n % 10;
    n = Math.floor(n / 10) || h + 7;
    return String(d);
  });
}

function surrogateFor(kind: PhiCategory, original: string, h: number, attempt: number): string {
  const n = (h % 90) + 10;
  switch (kind) {
    case 'name': {
      const words = original.trim().split(/\s+/).length;
      const first = FIRST[h % FIRST.length];
      const last = LAST[Math.floor(h / FIRST.length) % LAST.length];
      return words === 1 ? (attempt % 2 ? last : first) : `${first} ${last}`;
    }
    case 'phone':
    case 'fax':
      return `555-01${String(n).padStart(2, '0').slice(-2)}`;
    case 'email':
      return `person${h % 100000}@example.org`;
    case 'url':
      return `https://example.org/r/${h % 100000}`;
    case 'ip':
      return `192.0.2.${(h % 254) + 1}`;
    case 'ssn':
      return `000-${String(h % 100).padStart(2, '0')}-${String(h % 10000).padStart(4, '0')}`;
    case 'address':
      return `${(h % 900) + 100} ${STREETS[h % STREETS.length]} Street`;
    case 'zip':
      return `0${String(h % 10000).padStart(4, '0')}`;
    case 'mrn':
    case 'account':
    case 'licence':
      return digitsLike(original, h);
    default:
      return PLACEHOLDERS[kind];
  }
}

/** Which record a line belongs to for consistency: a patient id in meta or at the top level, else the record itself. */
export function patientOf(record: Record<string, unknown>, fallback: string): string {
  const meta = record.meta && typeof record.meta === 'object' ? (record.meta as Record<string, unknown>) : {};
  for (const v of [meta.patient_id, meta.patientId, meta.patient, record.patient_id, record.patientId]) if (typeof v === 'string' || typeof v === 'number') return `patient:${v}`;
  return fallback;
}
