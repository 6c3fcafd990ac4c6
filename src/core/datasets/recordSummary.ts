// What the preview shows of one record in a table row, and its label for classification-style sets.
import type { DatasetRecord, Message } from './records';

const lastOf = (list: Message[], role: Message['role']) => [...list].reverse().find((m) => m.role === role)?.content ?? '';
const sideText = (v: string | Message[]) => (typeof v === 'string' ? v : v.map((m) => m.content).join('\n'));

export function recordPreview(r: DatasetRecord): { preview: string; answer: string } {
  if (r.kind === 'dpo') return { preview: sideText(r.prompt), answer: sideText(r.chosen) };
  if (r.format === 'messages') return { preview: r.messages.find((m) => m.role === 'user')?.content ?? '', answer: lastOf(r.messages, 'assistant') };
  if (r.format === 'text') return { preview: r.text, answer: '' };
  return { preview: r.prompt, answer: r.completion };
}

/** Every string the model reads, joined: what the length histogram measures. */
export function recordText(r: DatasetRecord): string {
  if (r.kind === 'dpo') return `${sideText(r.prompt)}\n${sideText(r.chosen)}\n${sideText(r.rejected)}`;
  if (r.format === 'messages') return r.messages.map((m) => m.content).join('\n');
  if (r.format === 'text') return r.text;
  return `${r.prompt}${r.completion}`;
}

/** A short answer (≤ 40 characters, ≤ 4 lines) is treated as a class label: "yes", "Urgency: routine…". */
export function recordLabel(r: DatasetRecord): string | null {
  if (r.kind === 'dpo' || r.format === 'text') return null;
  const a = (r.format === 'messages' ? lastOf(r.messages, 'assistant') : r.completion).trim();
  return a.length > 0 && a.length <= 40 ? a.replace(/\s*\n\s*/g, ' · ') : null;
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
