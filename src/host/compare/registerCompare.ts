import type * as vscode from 'vscode';
import { lazyCommand } from '../lazy';
import type { TrainerChildren } from '../trainerChildren';

/** "Clinical FT: Compare runs (outputs)": registered cheaply, loaded (zod, panel) on first use. */
export function registerCompare(context: vscode.ExtensionContext, children: TrainerChildren): void {
  lazyCommand(context, 'clinicalFt.compareOutputs', async () => {
    const { compareRuns } = await import('./compareCommand');
    return (...args: unknown[]) => compareRuns(context.extensionUri, children, ...args);
  });
  lazyCommand(context, 'clinicalFt.deleteCompareOutputs', async () => {
    const { deleteCompareOutputs } = await import('./deleteCompareOutputs');
    return (args?: { all?: boolean; confirm?: boolean }) => deleteCompareOutputs(args ?? {});
  });
}
