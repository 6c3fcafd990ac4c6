// Finding, reading and extending the workspace allow-list of PHI false positives (see core/phi/allowList.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALLOW_LIST_RELATIVE, PhiAllowListFile, allowListKey, allowListPredicate } from '../phi/allowList';
import { writeFileAtomic } from './atomicWrite';

export const sha256Hex = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

/** The allow-list that governs `file`: the nearest `.clinical-ft/phi-allowlist.json` in its folder or above. */
export function findAllowList(file: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const candidate = path.join(dir, ALLOW_LIST_RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Reads an allow-list; a file that is not one is an error naming the file (never silently ignored). */
export function readAllowList(file: string): PhiAllowListFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON allow-list (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = PhiAllowListFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: not a PHI allow-list: ${parsed.error.issues[0]?.path.join('.') || 'root'}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The predicate for `explicit` (a path) or else the allow-list found from `dataset`; undefined when there is none. */
export function loadAllowPredicate(explicit: string | undefined, dataset: string | undefined): ((kind: string, text: string) => boolean) | undefined {
  const file = explicit ?? (dataset && dataset !== '-' ? findAllowList(dataset) : undefined);
  return file ? allowListPredicate(readAllowList(file), sha256Hex) : undefined;
}

/** Adds one false positive to the allow-list at `file` (created when missing); written temp-then-rename. */
export function addToAllowList(file: string, kind: string, text: string, now = new Date()): void {
  const list: PhiAllowListFile = fs.existsSync(file) ? readAllowList(file) : { version: 1, entries: [] };
  const sha256 = sha256Hex(allowListKey(kind, text));
  if (list.entries.some((e) => e.kind === kind && e.sha256 === sha256)) return;
  list.entries.push({ kind, sha256, added: now.toISOString() });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(list, null, 2)}\n`);
}
