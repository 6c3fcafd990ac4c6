// What the preview shows of one record in a table row, its answer, and whether a set of answers is a
// classification set (the one rule for the dataset preview and `clinical-ft eval`).
import { turnsPlainText, type ChatMessage, type DatasetRecord } from './records';

const lastAssistant = (list: ChatMessage[]) => turnsPlainText([...list].reverse().filter((m) => m.role === 'assistant').slice(0, 1));

export function recordPreview(r: DatasetRecord): { preview: string; answer: string } {
  if (r.kind === 'dpo') return { preview: turnsPlainText(r.prompt), answer: turnsPlainText(r.chosen) };
  if (r.format === 'messages') return { preview: turnsPlainText(r.messages.filter((m) => m.role === 'user').slice(0, 1)), answer: lastAssistant(r.messages) };
  if (r.format === 'text') return { preview: r.text, answer: '' };
  return { preview: turnsPlainText(r.prompt), answer: turnsPlainText(r.completion) };
}

/** Every string the model reads, joined: what the length histogram measures. */
export function recordText(r: DatasetRecord): string {
  if (r.kind === 'dpo') return `${turnsPlainText(r.prompt)}\n${turnsPlainText(r.chosen)}\n${turnsPlainText(r.rejected)}`;
  if (r.kind === 'kto' || r.format !== 'messages') return r.kind !== 'kto' && r.format === 'text' ? r.text : `${turnsPlainText(r.prompt)}${turnsPlainText(r.completion)}`;
  return turnsPlainText(r.messages);
}

/** The answer an SFT record teaches (completion, output, last assistant turn); undefined when it has none. */
export function referenceAnswer(r: DatasetRecord): string | undefined {
  if (r.kind !== 'sft' || r.format === 'text') return undefined;
  if (r.format === 'messages') return r.messages.some((m) => m.role === 'assistant') ? lastAssistant(r.messages) : undefined;
  return turnsPlainText(r.completion);
}

/** A short answer (≤ 40 characters, ≤ 4 lines) is a class label candidate: "yes", "Urgency: routine…". */
export function recordLabel(r: DatasetRecord): string | null {
  const a = referenceAnswer(r)?.trim() ?? '';
  return a.length > 0 && a.length <= 40 && a.split('\n').length <= 4 ? a : null;
}

/**
 * The one "classification set" rule: nearly every answer (≥ 90 %) is a short label, there are at most 20 distinct
 * labels, and each is used twice on average. Returns the labels with their counts (most used first), or null for
 * free text.
 */
export function classificationLabels(labels: readonly (string | null)[]): { label: string; count: number }[] | null {
  const counts = new Map<string, number>();
  let labelled = 0;
  for (const l of labels) {
    if (l === null) continue;
    labelled++;
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const n = labels.length;
  if (n === 0 || labelled < n * 0.9 || counts.size > 20 || counts.size * 2 > labelled) return null;
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count);
}

/** Fixed-width bins over [min, max] (at most `bins`), integer edges when the values are integers. */
export function histogram(values: ArrayLike<number>, bins = 24): { edges: number[]; counts: number[] } {
  if (values.length === 0) return { edges: [0, 1], counts: [0] };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const width = Math.max(1, Math.ceil((max - min + 1) / bins));
  const n = Math.max(1, Math.ceil((max - min + 1) / width));
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(n - 1, Math.floor((values[i] - min) / width))]++;
  return { edges: Array.from({ length: n + 1 }, (_, i) => min + i * width), counts };
}
