// Where an SFT run's "Improve with preferences" flow stands, read fresh from its files — for the flow's own
// picks and for the Runs view.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { progressSummary, type ImproveFacts, type ImproveState } from '../../core/improve/improveState';
import { readImproveFacts, readImproveState } from '../../core/node/improveFiles';
import type { RunEntry } from '../runs/runStore';

/** The facts the steps are judged by. An open labeler's text counts, unsaved labels included: the text an export reads. */
export function improveFacts(run: RunEntry, state: ImproveState): ImproveFacts {
  const open = state.pairs ? vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === path.resolve(state.pairs!)) : undefined;
  return readImproveFacts(run.dir, state, open?.getText());
}

/** One line for the Runs view: undefined when the flow never started for this run. */
export function improveProgress(run: RunEntry): string | undefined {
  const read = readImproveState(run.dir);
  if (!read.ok) return read.message;
  return read.fresh ? undefined : progressSummary(read.state, improveFacts(run, read.state));
}
