/**
 * Evaluation metrics shared by `clinical-ft eval` and the UI: accuracy, macro-F1 with per-class
 * precision/recall (as scikit-learn defines them), ROUGE-L F-measure (as rouge_score defines it).
 */

export interface ClassStats {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  perClass: ClassStats[];
  /** Predictions that matched no known label (counted as wrong). */
  unparsed: number;
  count: number;
}

/**
 * `predicted[i] === null` means the model's answer named no label: wrong for accuracy and a false
 * negative for the gold class. Classes are the gold labels plus any predicted ones (sklearn's union).
 */
export function classificationReport(gold: string[], predicted: (string | null)[]): ClassificationReport {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const labels = [...new Set([...gold, ...predicted.filter((p): p is string => p !== null)])].sort();
  const perClass = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      const g = gold[i] === label;
      const p = predicted[i] === label;
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: tp + fn };
  });
  const correct = gold.filter((g, i) => predicted[i] === g).length;
  return {
    accuracy: gold.length === 0 ? 0 : correct / gold.length,
    macroF1: perClass.length === 0 ? 0 : perClass.reduce((s, c) => s + c.f1, 0) / perClass.length,
    perClass,
    unparsed: predicted.filter((p) => p === null).length,
    count: gold.length,
  };
}

/** rouge_score's default tokenizer: lowercase, non-alphanumerics become spaces. */
export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((t) => t.length > 0);
}

function lcsLength(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    prev = cur;
  }
  return prev[b.length];
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

export function rougeL(reference: string, candidate: string): RougeScore {
  const ref = rougeTokens(reference);
  const cand = rougeTokens(candidate);
  if (ref.length === 0 || cand.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(ref, cand);
  const precision = lcs / cand.length;
  const recall = lcs / ref.length;
  const fmeasure = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, fmeasure };
}

/**
 * The label a generated answer names: an exact (case-insensitive) match first, otherwise the label
 * mentioned earliest as a whole word (longer labels win ties, so "not urgent" beats "urgent").
 */
export function extractLabel(text: string, labels: string[]): string | null {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s.!;:,"'`]+$/g, '').replace(/^[\s"'`]+/, '');
  const answer = norm(text);
  const exact = labels.find((l) => norm(l) === answer);
  if (exact !== undefined) return exact;
  const lower = text.toLowerCase();
  let best: { label: string; at: number } | null = null;
  for (const label of labels) {
    const l = label.toLowerCase();
    if (!l) continue;
    const escaped = l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`(^|[^a-z0-9])${escaped}(?![a-z0-9])`).exec(lower);
    if (!m) continue;
    const at = m.index + m[1].length;
    if (!best || at < best.at || (at === best.at && label.length > best.label.length)) best = { label, at };
  }
  return best ? best.label : null;
}

/**
 * The one answer budget (`clinical-ft eval` and the demo): room for the longest reference answer, in tokens, plus a
 * margin, at most 512. A tighter budget silently cut answers short ("Responder: fron" scored as wrong); greedy
 * decoding stops at EOS, so the margin costs time only on rambling.
 */
export function answerBudget(referenceTokenLengths: readonly number[]): number {
  return Math.min(512, Math.max(1, ...referenceTokenLengths) + 16);
}
