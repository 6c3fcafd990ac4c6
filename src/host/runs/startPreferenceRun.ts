import * as vscode from 'vscode';
import type { Method } from '../../core/preferences/methods';
import { PREFERENCE_METHODS, preferenceMethodItems } from '../../core/preferences/startHints';

/**
 * "Start preference run": which method (DPO, KTO, ORPO, SimPO), then the usual start flow. A method passed as
 * argument (a link, a test) skips the question; undefined = the person backed out.
 */
export async function pickPreferenceMethod(given?: unknown): Promise<Method | undefined> {
  if (typeof given === 'string' && (PREFERENCE_METHODS as readonly string[]).includes(given)) return given as Method;
  const picked = await vscode.window.showQuickPick(
    preferenceMethodItems().map((i) => ({ label: i.label, detail: i.detail, method: i.method })),
    { title: 'Start preference run: method', placeHolder: 'DPO and KTO compare with a reference model; ORPO and SimPO need none' },
  );
  return picked?.method;
}
