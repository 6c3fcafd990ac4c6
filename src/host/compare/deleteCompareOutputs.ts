import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareOutputsFolder } from './compareOutputsFolder';

const ALL = '$(trash) All comparisons';

/**
 * "Clinical FT: Delete comparison outputs": comparisons keep every model output with its gold answer until
 * deleted; this removes the chosen ones (or all) after a modal confirmation. Returns the folders deleted.
 */
export async function deleteCompareOutputs(args: { all?: boolean; confirm?: boolean } = {}): Promise<string[]> {
  const root = compareOutputsFolder();
  const folders = root && fs.existsSync(root) ? fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.isSymbolicLink()).map((d) => d.name).sort().reverse() : [];
  if (!root || folders.length === 0) {
    void vscode.window.showInformationMessage('Clinical FT: there are no comparison outputs to delete.');
    return [];
  }
  let chosen = folders;
  if (!args.all) {
    const picked = await vscode.window.showQuickPick([{ label: ALL, description: `${folders.length} in ${root}` }, ...folders.map((f) => ({ label: f }))], {
      title: 'Delete comparison outputs (model outputs with gold answers)',
      canPickMany: true,
    });
    if (!picked?.length) return [];
    chosen = picked.some((p) => p.label === ALL) ? folders : picked.map((p) => p.label);
  }
  if (args.confirm !== false) {
    const ok = await vscode.window.showWarningMessage(
      `Delete ${chosen.length} comparison output folder${chosen.length === 1 ? '' : 's'} in ${root}? Model outputs and gold answers in them are removed for good.`,
      { modal: true },
      'Delete',
    );
    if (ok !== 'Delete') return [];
  }
  const deleted: string[] = [];
  for (const name of chosen) {
    const dir = path.join(root, name);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      deleted.push(dir);
    } catch (e) {
      void vscode.window.showErrorMessage(`Clinical FT: could not delete ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (deleted.length) void vscode.window.showInformationMessage(`Clinical FT: deleted ${deleted.length} comparison output folder${deleted.length === 1 ? '' : 's'}.`);
  return deleted;
}
