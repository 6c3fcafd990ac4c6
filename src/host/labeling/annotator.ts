import * as vscode from 'vscode';
import * as os from 'node:os';

/** Who is labeling: setting clinicalFt.annotator, else the OS user (labels must always name someone). */
export function annotatorName(): string {
  const configured = vscode.workspace.getConfiguration('clinicalFt').get<string>('annotator')?.trim();
  if (configured) return configured;
  try {
    const user = os.userInfo().username;
    if (user) return user;
  } catch {
    // userInfo throws when the uid has no passwd entry (some containers).
  }
  return process.env.USER || process.env.USERNAME || 'annotator';
}
