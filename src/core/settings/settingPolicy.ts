// Which layer of VS Code's settings may decide a value. A workspace is content someone else can write (a cloned
// repository), so settings that protect the user (the PHI gate) or speak for them (who labeled) are decided
// by the user's own settings; a workspace may only make the PHI gate stricter.

/** The layers of `WorkspaceConfiguration.inspect()` this policy reads. */
export interface SettingLayers<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The user's value (else the default); whatever a workspace or folder says is ignored. */
export function userValue<T>(layers: SettingLayers<T> | undefined): T | undefined {
  return layers?.globalValue ?? layers?.defaultValue;
}

/**
 * PHI as errors: on when the user turned it on, or when the workspace asks for it. A workspace can turn the
 * gate on for a team, never off against the user.
 */
export function phiGateOn(layers: SettingLayers<boolean> | undefined): boolean {
  return userValue(layers) === true || layers?.workspaceValue === true || layers?.workspaceFolderValue === true;
}
