import { LABELS, parsePrefsLine, splitLines, type Label } from './prefsRecord';

/** Inter-annotator agreement over two labeled copies of the same pairs, matched by record id. */

export interface LabeledRef {
  label: Label;
  /** 1-based line in its file. */
  line: number;
}

export interface Disagreement {
  id: string;
  first: LabeledRef;
  second: LabeledRef;
}

export interface AgreementResult {
  /** Ids labeled in both files. */
  shared: number;
  /** Cohen's kappa; null when undefined (no shared ids, or both annotators used one same label throughout). */
  kappa: number | null;
  observed: number;
  expected: number;
  categories: readonly Label[];
  /** confusion[i][j] = count with first = categories[i], second = categories[j]. */
  confusion: number[][];
  disagreements: Disagreement[];
  /** Labeled ids present in only one file, and labeled records without an id (cannot be matched). */
  onlyFirst: number;
  onlySecond: number;
  withoutId: number;
  duplicateIds: string[];
}

function labeledById(text: string): { map: Map<string, LabeledRef>; withoutId: number; duplicates: string[] } {
  const map = new Map<string, LabeledRef>();
  const duplicates: string[] = [];
  let withoutId = 0;
  splitLines(text).forEach((raw, i) => {
    const rec = parsePrefsLine(raw, i);
    if (rec.kind !== 'pair' || rec.label === undefined) return;
    if (rec.id === undefined) {
      withoutId++;
      return;
    }
    if (map.has(rec.id)) duplicates.push(rec.id);
    map.set(rec.id, { label: rec.label, line: i + 1 });
  });
  return { map, withoutId, duplicates };
}

export function cohensKappa(confusion: number[][]): { kappa: number | null; observed: number; expected: number } {
  const k = confusion.length;
  const n = confusion.flat().reduce((a, b) => a + b, 0);
  if (n === 0) return { kappa: null, observed: 0, expected: 0 };
  let agree = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    agree += confusion[i][i];
    const row = confusion[i].reduce((a, b) => a + b, 0);
    const col = confusion.reduce((a, r) => a + r[i], 0);
    expected += (row / n) * (col / n);
  }
  const observed = agree / n;
  if (1 - expected < 1e-12) return { kappa: null, observed, expected };
  return { kappa: (observed - expected) / (1 - expected), observed, expected };
}

export function annotatorAgreement(firstText: string, secondText: string): AgreementResult {
  const first = labeledById(firstText);
  const second = labeledById(secondText);
  const index = new Map(LABELS.map((l, i) => [l, i]));
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  const disagreements: Disagreement[] = [];
  let shared = 0;
  for (const [id, a] of first.map) {
    const b = second.map.get(id);
    if (!b) continue;
    shared++;
    confusion[index.get(a.label)!][index.get(b.label)!]++;
    if (a.label !== b.label) disagreements.push({ id, first: a, second: b });
  }
  const { kappa, observed, expected } = cohensKappa(confusion);
  return {
    shared,
    kappa,
    observed,
    expected,
    categories: LABELS,
    confusion,
    disagreements,
    onlyFirst: first.map.size - shared,
    onlySecond: second.map.size - shared,
    withoutId: first.withoutId + second.withoutId,
    duplicateIds: [...new Set([...first.duplicates, ...second.duplicates])],
  };
}

/** A plain-text report: kappa, the confusion table (rows = first file) and the counts that were not compared. */
export function formatAgreement(r: AgreementResult, firstName: string, secondName: string): string {
  const out: string[] = [];
  out.push(`Annotator agreement: ${firstName} (rows) vs ${secondName} (columns)`);
  out.push(`Shared labeled ids: ${r.shared}`);
  out.push(`Cohen's kappa: ${r.kappa === null ? 'undefined' : r.kappa.toFixed(3)} (observed ${(r.observed * 100).toFixed(1)}%, chance ${(r.expected * 100).toFixed(1)}%)`);
  const w = Math.max(8, ...r.categories.map((c) => c.length)) + 2;
  out.push(''.padEnd(w) + r.categories.map((c) => c.padStart(w)).join(''));
  r.confusion.forEach((row, i) => out.push(r.categories[i].padEnd(w) + row.map((v) => String(v).padStart(w)).join('')));
  out.push(`Disagreements: ${r.disagreements.length}`);
  for (const d of r.disagreements) out.push(`  ${d.id}: ${d.first.label} (line ${d.first.line}) vs ${d.second.label} (line ${d.second.line})`);
  if (r.onlyFirst || r.onlySecond) out.push(`Labeled in only one file: ${r.onlyFirst} in ${firstName}, ${r.onlySecond} in ${secondName}`);
  if (r.withoutId) out.push(`Labeled records without an id (not comparable): ${r.withoutId}`);
  if (r.duplicateIds.length) out.push(`Duplicate ids (last one used): ${r.duplicateIds.slice(0, 10).join(', ')}`);
  return out.join('\n') + '\n';
}
