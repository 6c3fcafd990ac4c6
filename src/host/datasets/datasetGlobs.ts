import * as vscode from 'vscode';

/** Document filters for the clinicalFt.datasetGlobs setting, relative to each workspace folder. */
export function datasetSelector(): vscode.DocumentFilter[] {
  const globs = vscode.workspace.getConfiguration('clinicalFt').get<string[]>('datasetGlobs') ?? [];
  const folders = vscode.workspace.workspaceFolders ?? [];
  return globs.flatMap((g): vscode.DocumentFilter[] =>
    folders.length ? folders.map((f) => ({ pattern: new vscode.RelativePattern(f, g) })) : g.startsWith('**/') ? [{ pattern: g }] : [],
  );
}

export function isDatasetDocument(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return false;
  return vscode.languages.match(datasetSelector(), doc) > 0;
}
