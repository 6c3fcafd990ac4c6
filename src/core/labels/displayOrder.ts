/**
 * Which stored candidate appears on the left. Randomised per record to avoid position bias, but
 * deterministic (FNV-1a of the record's id, or its line when it has none) so the same record always shows
 * the same way — reopening the file or switching views never reshuffles what a clinician already saw.
 */
export type DisplayOrder = 'AB' | 'BA';

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function displayOrder(key: string): DisplayOrder {
  // FNV-1a alone mixes short, similar ids ("p1", "p2"…) poorly; murmur3's finaliser spreads every bit.
  let h = fnv1a(key);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h & 1 ? 'BA' : 'AB';
}

/** Maps a screen side (1 = left, 2 = right) to the stored candidate it shows. */
export function candidateForSide(order: DisplayOrder, side: 1 | 2): 'A' | 'B' {
  return (side === 1) === (order === 'AB') ? 'A' : 'B';
}
