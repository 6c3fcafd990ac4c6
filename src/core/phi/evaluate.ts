// Precision and recall of the detectors against labelled spans. A finding counts when it overlaps a labelled
// span of the same category (a partial span still flags the identifier for a human); exact-span figures too.
import { detectPhi, PHI_CATEGORIES, type PhiCategory } from './detectors';

export interface LabelledSpan {
  start: number;
  end: number;
  category: PhiCategory;
}

export interface PhiScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  exactMatches: number;
  perCategory: Record<string, { tp: number; fp: number; fn: number; precision: number; recall: number }>;
  falsePositiveExamples: string[];
  missedExamples: string[];
}

export function scorePhi(examples: { text: string; spans: LabelledSpan[] }[]): PhiScore {
  const per: Record<string, { tp: number; fp: number; fn: number }> = Object.fromEntries(PHI_CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
  let exact = 0;
  const fpEx: string[] = [];
  const fnEx: string[] = [];
  for (const { text, spans } of examples) {
    const found = detectPhi(text);
    const matched = new Set<number>();
    for (const f of found) {
      const hit = spans.findIndex((s, i) => !matched.has(i) && s.category === f.category && f.start < s.end && s.start < f.end);
      if (hit >= 0) {
        matched.add(hit);
        per[f.category].tp++;
        if (spans[hit].start === f.start && spans[hit].end === f.end) exact++;
      } else {
        per[f.category].fp++;
        if (fpEx.length < 20) fpEx.push(`${f.category} "${f.text}" in: ${text}`);
      }
    }
    spans.forEach((s, i) => {
      if (matched.has(i)) return;
      per[s.category].fn++;
      if (fnEx.length < 20) fnEx.push(`${s.category} "${text.slice(s.start, s.end)}" in: ${text}`);
    });
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  const tp = Object.values(per).reduce((s, c) => s + c.tp, 0);
  const fp = Object.values(per).reduce((s, c) => s + c.fp, 0);
  const fn = Object.values(per).reduce((s, c) => s + c.fn, 0);
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    exactMatches: exact,
    perCategory: Object.fromEntries(Object.entries(per).map(([k, c]) => [k, { ...c, precision: ratio(c.tp, c.tp + c.fp), recall: ratio(c.tp, c.tp + c.fn) }])),
    falsePositiveExamples: fpEx,
    missedExamples: fnEx,
  };
}
