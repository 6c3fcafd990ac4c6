// `clinical-ft redact` and "Redact PHI in dataset…": a redacted copy of a JSONL dataset (never in place), written
// temp-then-rename, and an audit manifest beside it with file hashes, counts per kind and the settings — never
// the removed text. Lines that cannot be read as records are left out of the copy (their text could hold PHI the
// redactor cannot see into) and listed by number in the manifest.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLineBatches } from './jsonlReader';
import { detectFormat } from '../datasets/records';
import { textFields } from '../datasets/validator';
import { Redactor, patientOf, type RedactMode } from '../phi/redact';
import { PHI_CATEGORIES, type PhiCategory } from '../phi/detectors';
import { loadAllowPredicate } from './phiAllowList';
import { syncDirectory } from './atomicWrite';

export interface RedactFileOptions {
  mode: RedactMode;
  kinds?: PhiCategory[];
  /** Explicit allow-list; by default the one found from the input's folder upwards. */
  allowList?: string;
  /** Where the manifest goes (default: OUT.redaction.json). */
  manifest?: string;
  /** Test hook: a fixed salt instead of a random one. */
  salt?: string;
}

export interface RedactionManifest {
  tool: 'clinical-ft redact';
  created: string;
  input: { path: string; sha256: string; bytes: number; lines: number };
  output: { path: string; sha256: string; bytes: number; records: number };
  settings: { mode: RedactMode; kinds: PhiCategory[]; allowList: string | null; patientId: string; dateShift: string };
  counts: Record<PhiCategory, number>;
  total: number;
  allowListed: number;
  /** Lines not copied because they are not records (JSON errors, unknown shapes, invalid UTF-8, a torn last line). */
  skippedLines: number[];
}

async function fileSha256(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

function setAt(obj: Record<string, unknown>, p: (string | number)[], value: string): void {
  let cur: unknown = obj;
  for (const seg of p.slice(0, -1)) cur = (cur as Record<string | number, unknown>)[seg];
  (cur as Record<string | number, unknown>)[p[p.length - 1]] = value;
}

export async function redactFile(input: string, out: string, opts: RedactFileOptions): Promise<RedactionManifest> {
  const inAbs = path.resolve(input);
  const outAbs = path.resolve(out);
  if (inAbs === outAbs || (fs.existsSync(outAbs) && fs.realpathSync(outAbs) === fs.realpathSync(inAbs))) {
    throw new Error(`the output ${out} is the input: redaction writes a new file, never in place`);
  }
  const allowListPath = opts.allowList ?? undefined;
  const allowed = loadAllowPredicate(allowListPath, input);
  const redactor = new Redactor({ mode: opts.mode, kinds: opts.kinds, allowed, salt: opts.salt ?? crypto.randomBytes(32).toString('hex') });
  const tmp = path.join(path.dirname(outAbs), `.${path.basename(outAbs)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', 0o600);
  const skipped: number[] = [];
  let lines = 0;
  let records = 0;
  try {
    for await (const batch of readLineBatches(input)) {
      let chunk = '';
      for (const e of batch) {
        lines = Math.max(lines, e.line);
        if (e.kind !== 'line') {
          skipped.push(e.line);
          continue;
        }
        if (e.text.trim() === '') continue;
        let obj: unknown;
        try {
          obj = JSON.parse(e.text);
        } catch {
          skipped.push(e.line);
          continue;
        }
        const format = obj && typeof obj === 'object' && !Array.isArray(obj) ? detectFormat(obj) : undefined;
        if (!format) {
          skipped.push(e.line);
          continue;
        }
        const rec = obj as Record<string, unknown>;
        const patient = patientOf(rec, `line:${e.line}`);
        for (const [p, text] of textFields(format, rec)) if (typeof text === 'string') setAt(rec, p, redactor.redact(text, patient));
        chunk += `${JSON.stringify(rec)}\n`;
        records++;
      }
      if (chunk) fs.writeSync(fd, chunk);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, outAbs);
    syncDirectory(path.dirname(outAbs));
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const [inHash, outHash] = await Promise.all([fileSha256(inAbs), fileSha256(outAbs)]);
  const kinds = opts.kinds ?? [...PHI_CATEGORIES];
  const manifest: RedactionManifest = {
    tool: 'clinical-ft redact',
    created: new Date().toISOString(),
    input: { path: inAbs, ...inHash, lines },
    output: { path: outAbs, ...outHash, records },
    settings: {
      mode: opts.mode,
      kinds,
      allowList: allowListPath ? path.resolve(allowListPath) : null,
      patientId: 'meta.patient_id, meta.patientId, meta.patient, patient_id or patientId; else each record alone',
      dateShift: opts.mode === 'surrogate' ? 'one secret offset per patient, 1 to 365 days back (intervals kept)' : 'none (dates become [DATE])',
    },
    counts: { ...redactor.counts },
    total: Object.values(redactor.counts).reduce((a, b) => a + b, 0),
    allowListed: redactor.allowListed,
    skippedLines: skipped,
  };
  const manifestPath = opts.manifest ?? `${outAbs}.redaction.json`;
  const mtmp = `${manifestPath}.${process.pid}.tmp`;
  fs.writeFileSync(mtmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(mtmp, manifestPath);
  return manifest;
}

/** The per-kind summary printed by the CLI and shown in VS Code. */
export function redactionSummary(m: RedactionManifest, manifestPath: string): string {
  const rows = PHI_CATEGORIES.filter((k) => m.counts[k] > 0).map((k) => `  ${k.padEnd(8)} ${m.counts[k]}`);
  return [
    `Redacted ${m.total} identifier${m.total === 1 ? '' : 's'} in ${m.output.records} records (${m.settings.mode}) → ${m.output.path}`,
    ...rows,
    ...(m.allowListed ? [`  ${m.allowListed} finding(s) left as allow-listed false positives`] : []),
    ...(m.skippedLines.length ? [`  ${m.skippedLines.length} line(s) not copied (not records): ${m.skippedLines.slice(0, 10).join(', ')}${m.skippedLines.length > 10 ? ', …' : ''}`] : []),
    `Manifest: ${manifestPath}`,
  ].join('\n');
}
