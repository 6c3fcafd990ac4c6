import * as path from 'node:path';
import * as vscode from 'vscode';

/** A run config's path as the trainer resolved it: relative paths are relative to the first workspace folder. */
export function resolveInWorkspace(p: string): string {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return path.isAbsolute(p) || !ws ? p : path.join(ws, p);
}
