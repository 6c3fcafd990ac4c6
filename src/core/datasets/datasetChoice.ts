// Which workspace JSONL files the Start run dataset step offers, in which order, and which it preselects; and
// the held-out split that goes with a training file. Pure: the host reads each file's first record.
import { detectFormat, FORMAT_LABELS, kindOf, type RecordFormat } from './records';
import { readsKind, type Method } from '../preferences/methods';

export type Split = 'train' | 'eval' | 'other';

export interface DatasetCandidate {
  /** Workspace-relative path, '/'-separated. */
  relPath: string;
  /** The first record's detected format; undefined when it is not JSON or matches none. */
  format?: RecordFormat;
  split: Split;
  /** A file of the sample's defects folder, a labeling file, or one named like a defect: offered, never preselected. */
  defect: boolean;
  /** Its format fits the method being started. */
  fits: boolean;
}

const EVAL_WORD = /(^|[._\-/])(eval|evaluation|val|valid|validation|dev|test|heldout|held-out)([._\-/]|$)/i;
const TRAIN_WORD = /(^|[._\-/])(train|training)([._\-/]|$)/i;
const DEFECT = /(^|\/)defects?\//i;

export function splitOf(relPath: string): Split {
  const name = relPath.split('/').pop() ?? relPath;
  if (EVAL_WORD.test(name)) return 'eval';
  return TRAIN_WORD.test(name) ? 'train' : 'other';
}

/** The detected format of a file's first non-empty line, if it parses. */
export function firstRecordFormat(firstLine: string | undefined): RecordFormat | undefined {
  if (!firstLine?.trim()) return undefined;
  try {
    return detectFormat(JSON.parse(firstLine.replace(/^\uFEFF/, '')));
  } catch {
    return undefined;
  }
}

export function datasetCandidate(relPath: string, firstLine: string | undefined, method: Method): DatasetCandidate {
  const format = firstRecordFormat(firstLine);
  // Labeled preference files (*.prefs.jsonl) train DPO once labeled: they fit DPO, as the trainer reads them.
  const fits = format !== undefined && readsKind(method, kindOf(format));
  return { relPath, ...(format ? { format } : {}), split: splitOf(relPath), defect: DEFECT.test(relPath), fits };
}

const SPLIT_ORDER: Record<Split, number> = { train: 0, other: 1, eval: 2 };

/** Fitting files first; among them train splits, then others, then eval splits; defects last; then by path. */
export function orderCandidates(cs: readonly DatasetCandidate[]): DatasetCandidate[] {
  return [...cs].sort(
    (a, b) => Number(b.fits) - Number(a.fits) || Number(a.defect) - Number(b.defect) || SPLIT_ORDER[a.split] - SPLIT_ORDER[b.split] || a.relPath.localeCompare(b.relPath),
  );
}

/** The one to preselect: the first fitting train split (or other file) that is not a defect; never an eval split. */
export function preselected(cs: readonly DatasetCandidate[]): DatasetCandidate | undefined {
  return orderCandidates(cs).find((c) => c.fits && !c.defect && c.split !== 'eval');
}

export function describeCandidate(c: DatasetCandidate): string {
  const what = c.format ? FORMAT_LABELS[c.format] : 'format not recognised';
  const split = c.split === 'train' ? 'training split' : c.split === 'eval' ? 'held-out split' : undefined;
  return [what, split, c.defect ? 'defect example' : undefined].filter(Boolean).join(' · ');
}

/**
 * The held-out file beside a training file: the same name with its train word replaced by eval (triage.train.sft.jsonl
 * → triage.eval.sft.jsonl), else `<name>.eval.jsonl`. `exists` answers for full paths.
 */
export function siblingEvalSplit(trainFile: string, exists: (file: string) => boolean): string | undefined {
  const slash = Math.max(trainFile.lastIndexOf('/'), trainFile.lastIndexOf('\\'));
  const dir = trainFile.slice(0, slash + 1);
  const name = trainFile.slice(slash + 1);
  const candidates: string[] = [];
  if (TRAIN_WORD.test(name)) for (const word of ['eval', 'val', 'validation', 'dev', 'test']) candidates.push(name.replace(TRAIN_WORD, (_m, a: string, _w: string, b: string) => `${a}${word}${b}`));
  candidates.push(name.replace(/\.jsonl$/i, '.eval.jsonl'));
  return candidates.map((n) => dir + n).find((f) => f !== trainFile && exists(f));
}
