// Cheap 64-bit content keys for duplicate detection without keeping record text in memory.
import type { DatasetRecord, Turns } from './records';

/**
 * The trainable content of a record (not id or meta) as the pieces of one string: hashing the pieces in turn
 * gives the hash of their concatenation without making it (a copy of every record's text, the validator's
 * largest cost on long records after JSON.parse).
 */
export function contentParts(r: DatasetRecord): string[] {
  const out: string[] = [];
  if (r.kind === 'dpo') {
    side(r.prompt, out);
    out.push('\u0001');
    side(r.chosen, out);
    out.push('\u0001');
    side(r.rejected, out);
  } else if (r.kind === 'kto') {
    side(r.prompt, out);
    out.push('\u0001');
    side(r.completion, out);
    out.push('\u0001', String(r.label));
  } else if (r.format === 'messages') side(r.messages, out);
  else if (r.format === 'text') out.push(r.text);
  else {
    side(r.prompt, out);
    out.push('\u0001');
    side(r.completion, out);
  }
  return out;
}

/** Roles and contents with control-character separators, so distinct records never produce the same key. */
function side(v: Turns, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else {
    out.push('\u0002');
    for (const m of v) out.push(m.role, '\u0000', String(m.content ?? JSON.stringify(m.tool_calls)), '\u0002');
  }
}

const partsOf = (s: string | readonly string[]): readonly string[] => (typeof s === 'string' ? [s] : s);

/** Two independent 32-bit FNV-1a variants side by side: a collision needs both to collide. Pieces hash as their concatenation. */
export function hash64(s: string | readonly string[]): string {
  const parts = partsOf(s);
  let length = 0;
  for (const p of parts) length += p.length;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ length;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
    }
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/** A 53-bit multiplicative hash (cyrb53, public domain) as a number: fast for short strings such as ids. Pieces hash as their concatenation. */
export function hash53(s: string | readonly string[]): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const p of partsOf(s)) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
