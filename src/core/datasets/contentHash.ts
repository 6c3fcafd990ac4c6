// Cheap 64-bit content keys for duplicate detection without keeping record text in memory.
import type { DatasetRecord, Turns } from './records';

/** The trainable content of a record (not id or meta), as one string. */
export function contentKey(r: DatasetRecord): string {
  if (r.kind === 'dpo') return `${side(r.prompt)}\u0001${side(r.chosen)}\u0001${side(r.rejected)}`;
  if (r.kind === 'kto') return `${side(r.prompt)}\u0001${side(r.completion)}\u0001${r.label}`;
  if (r.format === 'messages') return side(r.messages);
  if (r.format === 'text') return r.text;
  return `${side(r.prompt)}\u0001${side(r.completion)}`;
}

/** Roles and contents with control-character separators, so distinct records never produce the same key. */
function side(v: Turns): string {
  if (typeof v === 'string') return v;
  let out = '\u0002';
  for (const m of v) out += `${m.role}\u0000${m.content ?? JSON.stringify(m.tool_calls)}\u0002`;
  return out;
}

/** Two independent 32-bit FNV-1a variants side by side: a collision needs both to collide. */
export function hash64(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/** A 53-bit multiplicative hash (cyrb53, public domain) as a number: fast for short strings such as ids. */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
