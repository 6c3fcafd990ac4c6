import * as vscode from 'vscode';
import { ActivationTiming } from './activationTiming';
import { lazyCommand } from './lazy';
import { registerLabeling } from './labeling/registerLabeling';
import { registerRuns } from './runs/registerRuns';
import { registerCompare } from './compare/registerCompare';
import { registerDatasets } from './datasets/registerDatasets';
import { registerInspector } from './inspector/registerInspector';

/**
 * Wires the features; each lives in its own module and owns its disposables.
 * Activation budget: < 100 ms. Keep this file and what it imports statically free of zod and of feature
 * code: reach features through `await import('./feature')` (see lazy.ts) so they evaluate on first use.
 */
export function activate(context: vscode.ExtensionContext): ClinicalFtApi {
  const timing = new ActivationTiming();
  const output = vscode.window.createOutputChannel('Clinical FT');
  context.subscriptions.push(output);
  lazyCommand(context, 'clinicalFt.showEnvironment', async () => {
    const { showEnvironment } = await import('./environmentCommand');
    return () => showEnvironment(context.extensionPath, output);
  });
  registerRuns(context, output);
  registerLabeling(context);
  registerCompare(context);
  registerDatasets(context);
  registerInspector(context);
  timing.done();
  output.appendLine(`Clinical FT activated in ${timing.ms.toFixed(1)} ms`);
  return { activationMs: timing.ms, extensionPath: context.extensionPath };
}

export function deactivate(): void {}

/** Exported for tests and other extensions: measured activation time and where the bundle lives. */
export interface ClinicalFtApi {
  activationMs: number;
  extensionPath: string;
}
