import * as vscode from 'vscode';
import { registerEnvironmentCommand } from './environmentCommand';
import { ActivationTiming } from './activationTiming';

/** Wires the features; each lives in its own module and owns its disposables. */
export function activate(context: vscode.ExtensionContext): ClinicalFtApi {
  const timing = new ActivationTiming();
  const output = vscode.window.createOutputChannel('Clinical FT');
  context.subscriptions.push(output);
  registerEnvironmentCommand(context, output);
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
