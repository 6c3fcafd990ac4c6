// The workspace allow-list of PHI false positives ("Klebsiella is not a name"). It stores a hash of each
// allowed kind and text, never the text, so the file is safe to commit even when someone marks a real identifier
// by mistake. Validate, the trainer's PHI gate, redact and the editor's diagnostics all consult it.
import { z } from 'zod';
import type { PhiCategory } from './detectors';

/** `<workspace>/.clinical-ft/phi-allowlist.json` — found from a dataset by walking up its folders. */
export const ALLOW_LIST_RELATIVE = '.clinical-ft/phi-allowlist.json';

export const PhiAllowListFile = z.object({
  version: z.literal(1),
  entries: z.array(z.object({ kind: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), added: z.string().optional() })),
});
export type PhiAllowListFile = z.infer<typeof PhiAllowListFile>;

/** What is hashed for one entry: the kind and the text with its whitespace normalised. */
export function allowListKey(kind: PhiCategory | string, text: string): string {
  return `${kind}\u0000${text.trim().replace(/\s+/g, ' ')}`;
}

/** A predicate over findings; `hash` is SHA-256 hex of allowListKey (node:crypto in the callers). */
export function allowListPredicate(file: PhiAllowListFile, hash: (key: string) => string): (kind: string, text: string) => boolean {
  const allowed = new Set(file.entries.map((e) => `${e.kind}:${e.sha256}`));
  if (allowed.size === 0) return () => false;
  return (kind, text) => allowed.has(`${kind}:${hash(allowListKey(kind, text))}`);
}
