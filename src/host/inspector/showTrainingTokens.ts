import * as vscode from 'vscode';
import * as fs from 'node:fs';
import { RunConfig } from '../../core/runConfig';
import { detectFormat } from '../../core/datasets/records';
import { defaultModelFolder } from '../modelFolder';
import { isModelFolder } from '../../core/node/modelFolder';
import { firstRecordLine } from '../../core/node/jsonlReader';

import { SHOW_TRAINING_TOKENS, type ShowTokensRequest } from './registerInspector';
import type { TrainerChildren } from '../trainerChildren';

const DEFAULT_MAX_LENGTH = RunConfig.shape.maxLength.parse(undefined);
/** Beyond this many lines the lenses would cost more than they help. */
const MAX_LENS_LINES = 20_000;

/** "Show training tokens" above every record line of a dataset JSONL file. */
export class TrainingTokensCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    if (document.lineCount > MAX_LENS_LINES) return [];
    const lenses: vscode.CodeLens[] = [];
    for (let i = 0; i < document.lineCount; i++) {
      if (token.isCancellationRequested) return [];
      const text = document.lineAt(i).text;
      if (!text.trimStart().startsWith('{')) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      if (!detectFormat(value)) continue;
      const request: ShowTokensRequest = { file: document.uri.fsPath, line: i + 1 };
      lenses.push(new vscode.CodeLens(new vscode.Range(i, 0, i, 0), { title: 'Show training tokens', command: SHOW_TRAINING_TOKENS, arguments: [request], tooltip: 'The tokens this record feeds the trainer, and which ones it trains' }));
    }
    return lenses;
  }
}

function requestFrom(arg: unknown): ShowTokensRequest | undefined {
  if (arg instanceof vscode.Uri) return { file: arg.fsPath };
  if (arg && typeof arg === 'object' && typeof (arg as ShowTokensRequest).file === 'string') return arg as ShowTokensRequest;
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme === 'file') return { file: editor.document.uri.fsPath, line: editor.selection.active.line + 1 };
  return undefined;
}

export async function showTrainingTokens(context: vscode.ExtensionContext, children: TrainerChildren, arg: unknown): Promise<void> {
  const req = requestFrom(arg);
  if (!req) {
    void vscode.window.showInformationMessage('Clinical FT: open a dataset (JSONL) first, then "Show training tokens" on a record.');
    return;
  }
  const model = req.model ?? defaultModelFolder(context.extensionPath) ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use model folder', title: 'Model whose tokenizer and chat template to use' }))?.[0]?.fsPath;
  if (!model) return;
  if (!isModelFolder(model)) {
    void vscode.window.showErrorMessage(`Clinical FT: ${model} has no config.json — pick a Hugging Face model folder.`);
    return;
  }
  const line = req.line ?? (fs.existsSync(req.file) ? await firstRecordLine(req.file) : undefined) ?? 1;
  const { TokenInspectorPanel } = await import('./tokenInspectorPanel');
  TokenInspectorPanel.show(context, children, { file: req.file, line, model, maxLength: req.maxLength ?? DEFAULT_MAX_LENGTH });
}
