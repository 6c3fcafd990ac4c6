import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportedFileText, exportFileName, exportLabeledPairs, formatExportSummary, type ExportSummary } from '../../core/labels/exportPairs';
import { pickJsonlFile, writeFileAtomic } from './files';


export interface ExportArgs {
  out?: string;
  overwrite?: boolean;
  /** Tests: no notification buttons to wait on. */
  quiet?: boolean;
}

/**
 * "Clinical FT: Export labeled pairs for DPO": the labeled file (as currently open, unsaved labels
 * included) → {"prompt","chosen","rejected"} JSONL beside it, with a summary of what was left out.
 */
export async function exportLabeledPairsCommand(input?: vscode.Uri, args: ExportArgs = {}): Promise<{ out: string; summary: ExportSummary } | undefined> {
  const uri = input instanceof vscode.Uri ? input : await pickJsonlFile('Export labeled pairs from', /\.prefs\.jsonl$/i);
  if (!uri) return undefined;
  const document = await vscode.workspace.openTextDocument(uri);
  const { lines, summary } = exportLabeledPairs(document.getText());
  const name = path.basename(uri.fsPath);
  if (summary.exported === 0) {
    void vscode.window.showWarningMessage(`Clinical FT: nothing to export from ${name} — ${formatExportSummary(summary)}.`);
    return { out: '', summary };
  }
  const out = args.out ?? exportFileName(uri.fsPath);
  if (fs.existsSync(out) && !args.overwrite) {
    const choice = await vscode.window.showWarningMessage(`${path.basename(out)} exists. Replace it?`, { modal: true }, 'Replace');
    if (choice !== 'Replace') return undefined;
  }
  await writeFileAtomic(out, exportedFileText(lines));
  const message = `Clinical FT: ${path.basename(out)} written — ${formatExportSummary(summary)}.`;
  if (args.quiet) {
    void vscode.window.showInformationMessage(message);
  } else {
    const startDpo = (await vscode.commands.getCommands(true)).includes('clinicalFt.startDpoRun');
    // KTO trains on the labeled file itself, so ties and both-bad pairs count too (as two desirable / two undesirable).
    void vscode.window.showInformationMessage(message, 'Open', ...(startDpo ? ['Start DPO run', 'Start KTO run (uses ties too)'] : [])).then((choice) => {
      if (choice === 'Open') void vscode.window.showTextDocument(vscode.Uri.file(out));
      if (choice === 'Start DPO run') void vscode.commands.executeCommand('clinicalFt.startDpoRun', vscode.Uri.file(out));
      if (choice === 'Start KTO run (uses ties too)') void vscode.commands.executeCommand('clinicalFt.startPreferenceRun', uri, 'kto');
    });
  }
  return { out, summary };
}
