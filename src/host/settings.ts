import * as vscode from 'vscode';
import { phiGateOn, userValue } from '../core/settings/settingPolicy';

// The settings that run programs or protect the user are read here, through the policy in
// core/settings/settingPolicy.ts (what a workspace may and may not decide).

/** The Node executable for trainer processes: clinicalFt.nodePath (scope "machine": a workspace cannot set it). */
export function configuredNodePath(): string | undefined {
  const p = userValue(vscode.workspace.getConfiguration('clinicalFt').inspect<string>('nodePath'));
  return p ? p : undefined;
}

/** clinicalFt.phiAsErrors: the user's choice, which a workspace may make stricter but never turn off. */
export function phiAsErrors(uri: vscode.Uri | null): boolean {
  return phiGateOn(vscode.workspace.getConfiguration('clinicalFt', uri).inspect<boolean>('phiAsErrors'));
}

/** clinicalFt.annotator from the user's settings only: a workspace cannot label in someone else's name. */
export function configuredAnnotator(): string | undefined {
  return userValue(vscode.workspace.getConfiguration('clinicalFt').inspect<string>('annotator'))?.trim() || undefined;
}
