// Train/eval leakage: eval prompts that repeat a train prompt exactly (after normalizing case and spacing) or
// nearly (MinHash estimate of word-trigram Jaccard similarity, banded LSH to find candidates).
import { turnsPlainText, type DatasetRecord } from './records';
import { hash64 } from './contentHash';

/** The text a model is conditioned on: prompt, instruction (+input), the non-assistant turns, or the whole text. */
export function promptText(r: DatasetRecord): string {
  if (r.kind !== 'sft') return turnsPlainText(r.prompt);
  if (r.format === 'messages') return turnsPlainText(r.messages.filter((m) => m.role !== 'assistant'));
  if (r.format === 'text') return r.text;
  return turnsPlainText(r.prompt);
}

export function normalizeForLeakage(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const PERMS = 64;
const BANDS = 16;
const ROWS = PERMS / BANDS;
// Fixed odd multipliers/offsets: deterministic signatures across runs and processes.
const A = Array.from({ length: PERMS }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) | 1) >>> 0);
const B = Array.from({ length: PERMS }, (_, i) => Math.imul(i + 7, 0x85ebca6b) >>> 0);

function shingleHashes(norm: string): number[] {
  const words = norm.split(' ');
  const out: number[] = [];
  const n = words.length < 3 ? 1 : words.length - 2;
  for (let i = 0; i < n; i++) {
    const s = words.slice(i, i + 3).join(' ');
    let h = 0x811c9dc5;
    for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
    out.push(h >>> 0);
  }
  return out;
}

export function minhash(norm: string): Uint32Array {
  const sig = new Uint32Array(PERMS).fill(0xffffffff);
  for (const h of shingleHashes(norm)) {
    for (let p = 0; p < PERMS; p++) {
      const v = (Math.imul(h, A[p]) + B[p]) >>> 0;
      if (v < sig[p]) sig[p] = v;
    }
  }
  return sig;
}

export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < PERMS; i++) if (a[i] === b[i]) same++;
  return same / PERMS;
}

export interface LeakMatch {
  kind: 'exact' | 'near';
  trainLine: number;
  similarity: number;
}

/** Index of one (train) file's prompts; `match` looks an eval prompt up. */
export class LeakageIndex {
  private readonly exact = new Map<string, number>();
  private readonly sigs: Uint32Array[] = [];
  private readonly lines: number[] = [];
  private readonly buckets = new Map<string, number[]>();

  constructor(private readonly threshold = 0.8) {}

  add(line: number, prompt: string): void {
    const norm = normalizeForLeakage(prompt);
    if (!norm) return;
    const key = hash64(norm);
    if (!this.exact.has(key)) this.exact.set(key, line);
    const sig = minhash(norm);
    const idx = this.sigs.length;
    this.sigs.push(sig);
    this.lines.push(line);
    for (let b = 0; b < BANDS; b++) {
      const k = `${b}:${sig.subarray(b * ROWS, (b + 1) * ROWS).join(',')}`;
      const list = this.buckets.get(k);
      if (list) {
        if (list.length < 64) list.push(idx);
      } else this.buckets.set(k, [idx]);
    }
  }

  match(prompt: string): LeakMatch | undefined {
    const norm = normalizeForLeakage(prompt);
    if (!norm) return undefined;
    const exact = this.exact.get(hash64(norm));
    if (exact !== undefined) return { kind: 'exact', trainLine: exact, similarity: 1 };
    const sig = minhash(norm);
    let best: LeakMatch | undefined;
    const seen = new Set<number>();
    for (let b = 0; b < BANDS; b++) {
      for (const idx of this.buckets.get(`${b}:${sig.subarray(b * ROWS, (b + 1) * ROWS).join(',')}`) ?? []) {
        if (seen.has(idx)) continue;
        seen.add(idx);
        const s = similarity(sig, this.sigs[idx]);
        if (s >= this.threshold && (!best || s > best.similarity)) best = { kind: 'near', trainLine: this.lines[idx], similarity: s };
      }
    }
    return best;
  }
}
