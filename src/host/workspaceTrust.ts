import * as vscode from 'vscode';

/**
 * The one owner of Workspace Trust checks. In Restricted Mode nothing may start a local process on files the
 * workspace controls (training, resume, compare, generation) or signal a process a workspace file names
 * (Cancel of a run this window did not start: the pid comes from the run folder's trainer.lock).
 */
export class TrustError extends Error {}

const DEFAULT_REASON = 'it starts a local Node.js process that reads models and data from this workspace';

export function trustError(action: string, reason = DEFAULT_REASON): TrustError {
  return new TrustError(`${action} is disabled in Restricted Mode: ${reason}. Trust the workspace to use it.`);
}

export function assertTrusted(action: string, reason?: string): void {
  if (!vscode.workspace.isTrusted) throw trustError(action, reason);
}

/** Shows a refusal with the way out (Manage Workspace Trust). */
export function showTrustRefusal(err: TrustError): void {
  void vscode.window.showWarningMessage(`Clinical FT: ${err.message}`, 'Manage Workspace Trust').then((a) => {
    if (a) void vscode.commands.executeCommand('workbench.trust.manage');
  });
}

/** For a command's first line: in Restricted Mode, says why and returns the refusal; otherwise undefined. */
export function refuseUntrusted(action: string, reason?: string): { refused: string } | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  const err = trustError(action, reason);
  showTrustRefusal(err);
  return { refused: err.message };
}
