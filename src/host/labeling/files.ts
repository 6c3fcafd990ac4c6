import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes through a temp file, fsyncs and renames, so a crash never leaves half a dataset. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/** The active editor's JSONL file when it fits `preferred`, else a file dialog. */
export async function pickJsonlFile(title: string, preferred: RegExp): Promise<vscode.Uri | undefined> {
  const active = activeDocumentUri();
  if (active && preferred.test(active.fsPath)) return active;
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: { 'JSON Lines': ['jsonl'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

/** The file behind the active text editor or custom editor tab. */
export function activeDocumentUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}
