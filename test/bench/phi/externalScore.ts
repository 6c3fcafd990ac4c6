// Scores the PHI detectors against an external set's own labels. Each set names its entity types its own way;
// SAFE_HARBOR maps them onto the Safe Harbor kinds reported here (types absent from the map — organisations,
// countries, job titles, ages under 90, weekdays, years alone — are not Safe Harbor identifiers: a finding on
// them is neither a hit nor a false alarm). A labelled identifier is found when any finding overlaps it (any
// detector: the text gets flagged, whatever it is called); a false alarm is a finding that overlaps no label.
import { detectPhi, type PhiFinding } from '../../../src/core/phi/detectors';

export interface LabelledRecord {
  text: string;
  spans: { start: number; end: number; type: string }[];
}

export const SAFE_HARBOR: Record<string, string> = {
  // presidio-evaluator's generator
  person: 'name', name: 'name', first_name: 'name', last_name: 'name', first_name_male: 'name', first_name_female: 'name', first_name_nonbinary: 'name',
  last_name_male: 'name', last_name_female: 'name', name_male: 'name', name_female: 'name',
  address: 'address', street_name: 'address', secondary_address: 'address', building_number: 'address', city: 'city',
  postcode: 'zip', zipcode: 'zip', phone_number: 'phone', credit_card_number: 'card/account', iban: 'card/account', email: 'email', url: 'url',
  ip_address: 'ip', ssn: 'ssn', us_driver_license: 'licence', date_of_birth: 'date', date_time: 'date',
  // scrubadub's document generator (its "twitter" handles are not a Safe Harbor kind)
  postalcode: 'zip', social_security_number: 'ssn', phone: 'phone',
  // i2b2 2014 de-identification tags
  PATIENT: 'name', DOCTOR: 'name', DATE: 'date', PHONE: 'phone', FAX: 'phone', EMAIL: 'email', URL: 'url', IPADDR: 'ip', MEDICALRECORD: 'mrn',
  IDNUM: 'mrn', HEALTHPLAN: 'mrn', ACCOUNT: 'card/account', LICENSE: 'licence', DEVICE: 'licence', BIOID: 'licence', USERNAME: 'username',
  STREET: 'address', CITY: 'city', ZIP: 'zip', LOCATION_OTHER: 'address', AGE: 'age',
};

export interface SetScore {
  records: number;
  perKind: Record<string, { found: number; total: number }>;
  findings: number;
  falseAlarms: number;
  nonSafeHarborFlagged: number;
  bytes: number;
  seconds: number;
  missed: string[];
  alarms: string[];
}

export function scoreSet(records: LabelledRecord[], opts: { examples?: number; detect?: (t: string) => PhiFinding[] } = {}): SetScore {
  const detect = opts.detect ?? detectPhi;
  const s: SetScore = { records: records.length, perKind: {}, findings: 0, falseAlarms: 0, nonSafeHarborFlagged: 0, bytes: 0, seconds: 0, missed: [], alarms: [] };
  const max = opts.examples ?? 0;
  for (const r of records) {
    const t0 = process.hrtime.bigint();
    const found = detect(r.text);
    s.seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    s.bytes += Buffer.byteLength(r.text);
    s.findings += found.length;
    const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
    for (const f of found) {
      const hit = r.spans.filter((sp) => overlaps(f, sp));
      if (hit.length === 0) {
        s.falseAlarms++;
        if (s.alarms.length < max) s.alarms.push(`${f.category} «${f.text}» in: ${r.text.slice(0, 200)}`);
      } else if (hit.every((sp) => !SAFE_HARBOR[sp.type])) s.nonSafeHarborFlagged++;
    }
    for (const sp of r.spans) {
      const kind = SAFE_HARBOR[sp.type];
      if (!kind) continue;
      if (kind === 'age' && !(Number(r.text.slice(sp.start, sp.end)) > 89)) continue;
      const k = (s.perKind[kind] ??= { found: 0, total: 0 });
      k.total++;
      if (found.some((f) => overlaps(f, sp))) k.found++;
      else if (s.missed.length < max) s.missed.push(`${kind} «${r.text.slice(sp.start, sp.end)}» in: ${r.text.slice(0, 200)}`);
    }
  }
  return s;
}

export function overallRecall(s: SetScore): number {
  const v = Object.values(s.perKind);
  const total = v.reduce((a, k) => a + k.total, 0);
  return total ? v.reduce((a, k) => a + k.found, 0) / total : 1;
}

export function printScore(name: string, s: SetScore): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const precision = s.findings ? 1 - s.falseAlarms / s.findings : 1;
  console.log(
    `${name}: ${s.records} records — recall ${pct(overallRecall(s))} over the Safe Harbor kinds; ${s.findings} findings, ${s.falseAlarms} false alarms ` +
      `(${((s.falseAlarms / s.records) * 1000).toFixed(1)} per 1,000 records; ${pct(s.findings ? s.falseAlarms / s.findings : 0)} of findings, precision ${pct(precision)}); ` +
      `${s.nonSafeHarborFlagged} on labelled non-Safe-Harbor PII (organisations, countries…); ${(s.bytes / 1024 / 1024 / s.seconds).toFixed(1)} MB/s`,
  );
  for (const [k, v] of Object.entries(s.perKind).sort()) console.log(`  ${k.padEnd(13)} ${pct(v.found / v.total).padStart(6)}  (${v.found} / ${v.total})`);
  for (const m of s.missed) console.log(`  missed ${m}`);
  for (const a of s.alarms) console.log(`  false alarm ${a}`);
}
