import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANSWERS_FILE, parseAnswersFile, type Answers } from '../factsheet/answers';
import { writeFileAtomic } from './atomicWrite';

/** The person-written answers saved beside a run; none yet is an empty set, a broken file is an error naming it. */
export function readAnswers(runDir: string): Answers {
  const file = path.join(runDir, ANSWERS_FILE);
  if (!fs.existsSync(file)) return {};
  const r = parseAnswersFile(fs.readFileSync(file, 'utf8'), file);
  if (!r.ok) throw new Error(r.error);
  return r.answers;
}

/**
 * Where exports go: `out` an existing folder (or ending in a separator) → out/factsheet.*; otherwise `out` is the
 * path without extension (DESIGN.md: PATH.md, .html, .json, .xml).
 */
export function exportTarget(out: string): { dir: string; stem: string } {
  if (/[\\/]$/.test(out) || (fs.existsSync(out) && fs.statSync(out).isDirectory())) return { dir: path.resolve(out), stem: 'factsheet' };
  return { dir: path.dirname(path.resolve(out)), stem: path.basename(out) };
}

/** Writes each file with write-temp-then-rename; returns the paths written. */
export function writeFactSheetFiles(dir: string, files: { name: string; text: string }[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const p = path.join(dir, f.name);
    writeFileAtomic(p, f.text);
    return p;
  });
}
