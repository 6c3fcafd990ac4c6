import type * as vscode from 'vscode';
import { lazyCommand } from '../lazy';

/** "Clinical FT: Compare runs (outputs)": registered cheaply, loaded (zod, panel) on first use. */
export function registerCompare(context: vscode.ExtensionContext): void {
  lazyCommand(context, 'clinicalFt.compareOutputs', async () => {
    const { compareRuns } = await import('./compareCommand');
    return (...args: unknown[]) => compareRuns(context.extensionUri, ...args);
  });
}
