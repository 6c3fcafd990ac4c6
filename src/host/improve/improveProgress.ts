// Where an SFT run's "Improve with preferences" flow stands, read fresh from its files — for the flow's own
// picks and for the Runs view.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { progressSummary, type ImproveFacts, type ImproveState } from '../../core/improve/improveState';
import { improveFactsFingerprint, readImproveFacts, readImproveState } from '../../core/node/improveFiles';
import type { RunEntry } from '../runs/runStore';

/** The pairs file's open document: its text, unsaved labels included, is what an export reads. */
function openPairs(state: ImproveState): vscode.TextDocument | undefined {
  return state.pairs ? vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === path.resolve(state.pairs!)) : undefined;
}

/** The facts the steps are judged by. An open labeler's text counts, unsaved labels included: the text an export reads. */
export function improveFacts(run: RunEntry, state: ImproveState): ImproveFacts {
  return readImproveFacts(run.dir, state, openPairs(state)?.getText());
}

/** The Runs view's last line per run, with what it was computed from. */
const lines = new Map<string, { key: string; line: string }>();

/**
 * One line for the Runs view: undefined when the flow never started for this run. The view refreshes every half
 * second while any run trains; the line is recomputed only when the state, the files it counts or the open
 * labeler's document changed.
 */
export function improveProgress(run: RunEntry): string | undefined {
  const read = readImproveState(run.dir);
  if (!read.ok) return read.message;
  if (read.fresh) return undefined;
  const doc = openPairs(read.state);
  const key = `${JSON.stringify(read.state)}|${improveFactsFingerprint(run.dir, read.state)}|${doc ? `${doc.uri.toString()}@${doc.version}` : ''}`;
  const hit = lines.get(run.dir);
  if (hit?.key === key) return hit.line;
  const line = progressSummary(read.state, readImproveFacts(run.dir, read.state, doc?.getText()));
  lines.set(run.dir, { key, line });
  return line;
}
