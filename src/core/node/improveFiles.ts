// The improve flow's files on disk: its state file in the SFT run folder, and the facts its steps are judged
// by (label counts from the pairs file, whether the export matches them, the preference run's status).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportedFileText, exportLabeledPairs } from '../labels/exportPairs';
import { IMPROVE_STATE_FILE, parseImproveState, serializeImproveState, type ImproveFacts, type ImproveState, type ImproveStateRead } from '../improve/improveState';
import { readSmallFile, writeFileAtomic } from './atomicWrite';
import { readRunRecord } from './runFolderReader';
import { RUN_FILES } from '../runFolder';

/** The state holds a few paths; anything larger is not one. */
const MAX_STATE_BYTES = 256 * 1024;

export function improveStateFile(sftRunDir: string): string {
  return path.join(sftRunDir, IMPROVE_STATE_FILE);
}

/** The state's file pointers (and `compared.dataset`). */
const FILE_KEYS = ['prompts', 'pairs', 'exported'] as const;

/**
 * The file pointers with `map` applied. On disk they are relative to the SFT run folder, so a workspace that is
 * moved, renamed or opened from another mount keeps its flow; callers only ever see absolute paths (a state
 * written before that, with absolute paths, reads unchanged).
 */
function mapFiles(state: ImproveState, map: (file: string) => string): ImproveState {
  const out = { ...state };
  for (const key of FILE_KEYS) {
    const file = state[key];
    if (file !== undefined) out[key] = map(file);
  }
  if (state.compared) out.compared = { ...state.compared, dataset: map(state.compared.dataset) };
  return out;
}

/** The flow's state for the SFT run in `sftRunDir`: fresh when there is none, reported when unreadable. */
export function readImproveState(sftRunDir: string): ImproveStateRead {
  const file = improveStateFile(sftRunDir);
  const exists = fs.existsSync(file);
  const text = exists ? readSmallFile(file, MAX_STATE_BYTES) : undefined;
  if (exists && text === undefined) {
    const r = parseImproveState(undefined, path.basename(sftRunDir));
    return { ok: false, state: r.state, message: `${file} is not a regular file or is larger than ${MAX_STATE_BYTES / 1024} KB` };
  }
  const read = parseImproveState(text, path.basename(sftRunDir), file);
  return { ...read, state: mapFiles(read.state, (f) => path.resolve(sftRunDir, f)) };
}

export function writeImproveState(sftRunDir: string, state: ImproveState): void {
  const relative = mapFiles(state, (f) => path.relative(sftRunDir, path.resolve(sftRunDir, f)).split(path.sep).join('/'));
  writeFileAtomic(improveStateFile(sftRunDir), serializeImproveState(relative));
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The preference run's record, in the runs folder beside the SFT run. */
const preferenceRunDir = (sftRunDir: string, id: string) => path.join(path.dirname(sftRunDir), id);

/**
 * What readImproveFacts reads from disk, as sizes and modification times: equal fingerprints (and the same
 * `pairsText`) give equal facts, so a view refreshed every half second while a run trains need not re-read and
 * re-parse a large pairs file.
 */
export function improveFactsFingerprint(sftRunDir: string, state: ImproveState): string {
  const stat = (file: string | undefined) => {
    if (!file) return '-';
    try {
      const s = fs.statSync(file);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  const run = state.preferenceRun ? path.join(preferenceRunDir(sftRunDir, state.preferenceRun), RUN_FILES.runJson) : undefined;
  return [state.pairs, state.exported, run].map((f) => `${f ?? ''}=${stat(f)}`).join('|');
}

/**
 * Reads the facts fresh. `pairsText` overrides the pairs file on disk: the text of an open, possibly unsaved
 * labeler document, which is also what an export would read.
 */
export function readImproveFacts(sftRunDir: string, state: ImproveState, pairsText?: string): ImproveFacts {
  const text = state.pairs ? (pairsText ?? readText(state.pairs)) : undefined;
  const result = text !== undefined ? exportLabeledPairs(text) : undefined;
  const labels = result ? { labeled: result.summary.records - result.summary.unlabeled, total: result.summary.records } : undefined;
  const exportText = state.exported ? readText(state.exported) : undefined;
  const exportCurrent = result !== undefined && exportText !== undefined && result.summary.exported > 0 && exportText === exportedFileText(result.lines);
  let runStatus: ImproveFacts['runStatus'];
  if (state.preferenceRun) {
    const read = readRunRecord(preferenceRunDir(sftRunDir, state.preferenceRun), { fixUp: false });
    if (read.ok) runStatus = read.record.status;
  }
  return { ...(labels ? { labels } : {}), exportCurrent, exportExists: exportText !== undefined, ...(runStatus ? { runStatus } : {}) };
}
