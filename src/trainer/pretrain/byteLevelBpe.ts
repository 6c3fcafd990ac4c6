// A byte-level BPE trainer (GPT-2 style, as HF tokenizers' BpeTrainer with a ByteLevel pre-tokenizer):
// words are split by the GPT-2 regex, mapped byte by byte to printable characters, and the most frequent
// adjacent pair is merged until the vocabulary is full. Ties break on the pair's text so the result is
// the same on every machine.

/** The GPT-2 pre-tokenizer pattern, exactly as HF's ByteLevel pre-tokenizer with use_regex = true. */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's bytes_to_unicode: every byte gets a visible character (space → 'Ġ', newline → 'Ċ'). */
export const BYTE_TO_CHAR: string[] = (() => {
  const visible: number[] = [];
  for (let b = 33; b <= 126; b++) visible.push(b);
  for (let b = 161; b <= 172; b++) visible.push(b);
  for (let b = 174; b <= 255; b++) visible.push(b);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(visible.includes(b) ? b : 256 + extra++);
  return out;
})();

export interface BpeModel {
  /** token → id; ids 0..specials-1 are the special tokens, then the 256 byte characters, then merges. */
  vocab: Map<string, number>;
  merges: [string, string][];
}

const encoder = new TextEncoder();

function wordSymbols(word: string): string[] {
  return Array.from(encoder.encode(word), (b) => BYTE_TO_CHAR[b]);
}

/**
 * Trains merges until vocab reaches `vocabSize` (specials + 256 bytes + merges) or no pair occurs twice.
 * Pair counts are recomputed per merge over the unique words: simple, and fast enough for a few MB.
 */
export function trainByteLevelBpe(texts: Iterable<string>, vocabSize: number, specials: string[]): BpeModel {
  const freq = new Map<string, number>();
  for (const text of texts) for (const w of text.match(GPT2_SPLIT) ?? []) freq.set(w, (freq.get(w) ?? 0) + 1);
  const words = [...freq.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([w, n]) => ({ syms: wordSymbols(w), n }));

  const vocab = new Map<string, number>();
  for (const s of specials) vocab.set(s, vocab.size);
  for (const ch of BYTE_TO_CHAR) vocab.set(ch, vocab.size);
  const merges: [string, string][] = [];

  while (vocab.size < vocabSize) {
    const counts = new Map<string, number>();
    for (const { syms, n } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const key = syms[i] + '\u0000' + syms[i + 1];
        counts.set(key, (counts.get(key) ?? 0) + n);
      }
    }
    let best: string | undefined;
    let bestCount = 1;
    for (const [key, c] of counts) if (c > bestCount || (c === bestCount && best !== undefined && key < best)) [best, bestCount] = [key, c];
    if (best === undefined) break;
    const [a, b] = best.split('\u0000');
    const merged = a + b;
    merges.push([a, b]);
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    for (const w of words) {
      const s = w.syms;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) s.splice(i, 2, merged);
    }
  }
  return { vocab, merges };
}
