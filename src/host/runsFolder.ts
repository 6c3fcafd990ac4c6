import * as vscode from 'vscode';
import * as path from 'node:path';

/** Absolute runs folder: the setting, resolved against the first workspace folder when relative. */
export function runsFolder(): string | undefined {
  const setting = vscode.workspace.getConfiguration('clinicalFt').get<string>('runsFolder') || '.clinical-ft/runs';
  if (path.isAbsolute(setting)) return setting;
  const ws = vscode.workspace.workspaceFolders?.[0];
  return ws ? path.join(ws.uri.fsPath, setting) : undefined;
}
