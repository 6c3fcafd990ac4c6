import * as vscode from 'vscode';
import * as path from 'node:path';
import { ActivationTiming } from './activationTiming';
import { lazyCommand } from './lazy';
import { registerLabeling } from './labeling/registerLabeling';
import { registerRuns } from './runs/registerRuns';
import { registerCompare } from './compare/registerCompare';
import { registerFactSheet } from './factsheet/registerFactSheet';
import { registerDatasets } from './datasets/registerDatasets';
import { registerInspector } from './inspector/registerInspector';
import { TrainerChildren } from './trainerChildren';
import { configuredNodePath } from './settings';

/** The owner of every trainer child; disposed on deactivate (window children die, training runs go on). */
let children: TrainerChildren | undefined;

/**
 * Wires the features; each lives in its own module and owns its disposables.
 * Activation budget: < 100 ms. Keep this file and what it imports statically free of zod and of feature
 * code: reach features through `await import('./feature')` (see lazy.ts) so they evaluate on first use.
 */
export function activate(context: vscode.ExtensionContext): ClinicalFtApi {
  const timing = new ActivationTiming();
  const output = vscode.window.createOutputChannel('Clinical FT');
  context.subscriptions.push(output);
  const owner = new TrainerChildren({ script: path.join(context.extensionPath, 'dist', 'trainer.js'), nodePath: configuredNodePath, log: (line) => output.appendLine(line) });
  children = owner;
  context.subscriptions.push(owner);
  lazyCommand(context, 'clinicalFt.showEnvironment', async () => {
    const { showEnvironment } = await import('./environment/environmentCommand');
    return () => showEnvironment(owner, output, context.extensionUri);
  });
  registerRuns(context, output, owner);
  registerLabeling(context, owner);
  registerCompare(context, owner);
  registerFactSheet(context, owner);
  registerDatasets(context, owner);
  registerInspector(context, owner);
  timing.done();
  output.appendLine(`Clinical FT activated in ${timing.ms.toFixed(1)} ms`);
  return { activationMs: timing.ms, extensionPath: context.extensionPath };
}

export function deactivate(): void {
  children?.dispose();
  children = undefined;
}

/** Exported for tests and other extensions: measured activation time and where the bundle lives. */
export interface ClinicalFtApi {
  activationMs: number;
  extensionPath: string;
}
