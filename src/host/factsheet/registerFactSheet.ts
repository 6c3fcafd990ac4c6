import type * as vscode from 'vscode';
import { lazyCommand } from '../lazy';
import type { TrainerChildren } from '../trainerChildren';

/** "Clinical FT: Create model fact sheet": registered cheaply, loaded (zod, panel) on first use. */
export function registerFactSheet(context: vscode.ExtensionContext, children: TrainerChildren): void {
  lazyCommand(context, 'clinicalFt.createFactSheet', async () => {
    const { createFactSheet } = await import('./factSheetCommand');
    return (...args: unknown[]) => createFactSheet(context.extensionUri, children, ...args);
  });
}
