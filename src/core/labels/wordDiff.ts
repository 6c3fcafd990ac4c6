/** Word-level diff of two responses for the labeler's diff toggle (LCS over whitespace-kept tokens). */

export interface DiffPart {
  text: string;
  /** same = in both; only = only in this side. */
  kind: 'same' | 'only';
}

export function tokenize(text: string): string[] {
  return text.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
}

/** Above this many token pairs the LCS table is too big for a keystroke; the diff falls back to "all different". */
const MAX_CELLS = 4_000_000;

export function wordDiff(left: string, right: string): { left: DiffPart[]; right: DiffPart[] } {
  const a = tokenize(left);
  const b = tokenize(right);
  if (a.length * b.length > MAX_CELLS) return { left: [{ text: left, kind: 'only' }], right: [{ text: right, kind: 'only' }] };
  const n = a.length;
  const m = b.length;
  const dp = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i * (m + 1) + j] = a[i] === b[j] ? dp[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(dp[(i + 1) * (m + 1) + j], dp[i * (m + 1) + j + 1]);
  const L: DiffPart[] = [];
  const R: DiffPart[] = [];
  const push = (parts: DiffPart[], text: string, kind: DiffPart['kind']) => {
    const last = parts[parts.length - 1];
    if (last && last.kind === kind) last.text += text;
    else parts.push({ text, kind });
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      push(L, a[i++], 'same');
      push(R, b[j++], 'same');
    } else if (j >= m || (i < n && dp[(i + 1) * (m + 1) + j] >= dp[i * (m + 1) + j + 1])) push(L, a[i++], 'only');
    else push(R, b[j++], 'only');
  }
  return { left: L, right: R };
}
