import * as vscode from 'vscode';
import { defaultModelFolder as resolveDefault } from '../core/node/modelFolder';

/** The base model: setting clinicalFt.defaultModel, else the bundled sample model (src/core/node/modelFolder.ts). */
export function defaultModelFolder(extensionPath: string): string | undefined {
  const setting = vscode.workspace.getConfiguration('clinicalFt').get<string>('defaultModel') || undefined;
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return resolveDefault({ ...(setting ? { setting } : {}), ...(workspace ? { workspace } : {}), extensionPath });
}
