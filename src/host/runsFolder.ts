import * as vscode from 'vscode';
import * as path from 'node:path';

/** Absolute runs folder: the setting, resolved against the first workspace folder when relative. */
export function runsFolder(): string | undefined {
  const ws = vscode.workspace.workspaceFolders?.[0];
  // The setting is resource-scoped: read it for the folder it is resolved against.
  const setting = vscode.workspace.getConfiguration('clinicalFt', ws?.uri).get<string>('runsFolder') || '.clinical-ft/runs';
  if (path.isAbsolute(setting)) return setting;
  return ws ? path.join(ws.uri.fsPath, setting) : undefined;
}
