import type * as vscode from 'vscode';

// Kept apart from annotator.ts so activation can hand over the workspace state without evaluating any
// labeling code (activation budget, see lazy.ts).

let memory: vscode.Memento | undefined;

/** Called once at activation with context.workspaceState: the annotator name is remembered per workspace. */
export function rememberAnnotatorIn(workspaceState: vscode.Memento): void {
  memory = workspaceState;
}

export function annotatorMemory(): vscode.Memento | undefined {
  return memory;
}
