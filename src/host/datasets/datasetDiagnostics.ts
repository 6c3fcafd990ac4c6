import * as vscode from 'vscode';
import * as fs from 'node:fs';
import { DatasetValidator } from '../../core/datasets/validator';
import { validateFile } from '../../core/node/validateFile';
import type { DatasetIssue, IssueFix, ValidationResult } from '../../core/datasets/issues';
import { validateInChild } from './validateInChild';
import { datasetSelector, isDatasetDocument } from './datasetGlobs';
import { phiAsErrors } from '../settings';
import type { TrainerChildren } from '../trainerChildren';
import { findAllowList, loadAllowPredicate } from '../../core/node/phiAllowList';
import { phiQuickFixes, ALLOW_PHI_COMMAND, allowPhiFinding } from './phiQuickFixes';

/** Up to this size a dataset is validated on the extension host (a few ms); bigger ones go to a child process. */
const IN_PROCESS_LIMIT = 2 * 1024 * 1024;
const DEBOUNCE_MS = 300;

/** Live diagnostics for dataset files: the same validator (and so the same line, column, code) as the CLI. */
export class DatasetDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  private readonly collection = vscode.languages.createDiagnosticCollection('clinicalFt.datasets');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Document version whose results are on screen. */
  private readonly published = new Map<string, number>();
  private readonly fixes = new Map<string, IssueFix>();
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly changed = new vscode.EventEmitter<{ uri: vscode.Uri; result: ValidationResult }>();
  /** Fires after a document's diagnostics were replaced (tests and the preview listen). */
  readonly onDidValidate = this.changed.event;

  constructor(private readonly children: TrainerChildren) {
    this.disposables.push(
      this.changed,
      vscode.languages.registerCodeActionsProvider([{ pattern: '**/*.jsonl' }, { language: 'jsonl' }], this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.commands.registerCommand(ALLOW_PHI_COMMAND, async (uri: vscode.Uri, range: vscode.Range, kind: string) => {
        if (await allowPhiFinding(uri, range, kind)) this.revalidateOpen();
      }),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((u) => this.collection.delete(u))),
      // A reopened document starts again at version 1.
      vscode.workspace.onDidCloseTextDocument((d) => this.published.delete(d.uri.toString())),
    );
  }

  /** Validates `doc` after a quiet period (changes) or at once (open, save). */
  schedule(doc: vscode.TextDocument, immediate = false): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validateDocument(doc).catch((e: unknown) => console.warn(`[clinical-ft] ${e instanceof Error ? e.message : String(e)}`));
      }, immediate ? 0 : DEBOUNCE_MS),
    );
  }

  revalidateOpen(): void {
    this.collection.clear();
    this.published.clear();
    for (const doc of vscode.workspace.textDocuments) if (isDatasetDocument(doc)) this.schedule(doc, true);
  }

  /** Validates an open document (its current text) or a file on disk, and publishes the diagnostics. */
  async validateDocument(doc: vscode.TextDocument): Promise<ValidationResult> {
    const key = doc.uri.toString();
    const version = doc.version;
    const phi = phiAsErrors(doc.uri);
    let result: ValidationResult;
    if (!doc.isDirty && doc.uri.scheme === 'file') {
      // Saved: read the bytes (so invalid UTF-8 and BOMs are seen exactly as the CLI sees them).
      result = await this.validatePath(doc.uri.fsPath, phi);
    } else if (doc.getText().length <= IN_PROCESS_LIMIT) {
      result = validateText(doc, phi);
    } else {
      result = await validateInChild(this.children, doc.uri.fsPath, { phiAsErrors: phi, text: doc.getText(), allowList: doc.uri.scheme === 'file' ? findAllowList(doc.uri.fsPath) : undefined });
    }
    // Results of an older text never replace those of a newer one; equal versions give equal results.
    if (doc.isClosed || doc.version !== version || (this.published.get(key) ?? -1) > version) return result;
    this.published.set(key, version);
    this.publish(doc.uri, result, doc);
    return result;
  }

  async validateUri(uri: vscode.Uri): Promise<ValidationResult> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.validateDocument(open);
    const result = await this.validatePath(uri.fsPath, phiAsErrors(uri));
    this.publish(uri, result);
    return result;
  }

  private async validatePath(file: string, phi: boolean): Promise<ValidationResult> {
    const size = (await fs.promises.stat(file)).size;
    return size <= IN_PROCESS_LIMIT ? validateFile(file, { phiAsErrors: phi }) : validateInChild(this.children, file, { phiAsErrors: phi });
  }

  private publish(uri: vscode.Uri, result: ValidationResult, doc?: vscode.TextDocument): void {
    const prefix = `${uri.toString()}|`;
    for (const k of [...this.fixes.keys()]) if (k.startsWith(prefix)) this.fixes.delete(k);
    const diags = [
      ...result.errors.map((i) => this.toDiagnostic(uri, i, vscode.DiagnosticSeverity.Error, doc)),
      ...result.warnings.map((i) => this.toDiagnostic(uri, i, vscode.DiagnosticSeverity.Warning, doc)),
    ];
    const omitted = (result.omittedErrors ?? 0) + (result.omittedWarnings ?? 0);
    if (omitted) {
      diags.push(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), `${omitted} more issues not shown; run "clinical-ft validate" for the full list`, vscode.DiagnosticSeverity.Information));
    }
    this.collection.set(uri, diags);
    this.changed.fire({ uri, result });
  }

  private toDiagnostic(uri: vscode.Uri, i: DatasetIssue, severity: vscode.DiagnosticSeverity, doc?: vscode.TextDocument): vscode.Diagnostic {
    const line = Math.max(0, i.line - 1);
    const start = Math.max(0, i.column - 1);
    let end = i.endColumn !== undefined ? i.endColumn - 1 : start + 1;
    if (i.endColumn === undefined && i.column === 1) end = doc && line < doc.lineCount ? Math.max(1, doc.lineAt(line).text.length) : 1;
    const d = new vscode.Diagnostic(new vscode.Range(line, start, line, end), i.field ? `${i.field}: ${i.message}` : i.message, severity);
    d.code = i.code;
    d.source = 'Clinical FT';
    if (i.fix) this.fixes.set(fixKey(uri, line, start, i.code), i.fix);
    return d;
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== 'Clinical FT') continue;
      if (String(d.code).startsWith('phi_')) {
        actions.push(...phiQuickFixes(document, d));
        continue;
      }
      const fix = this.fixes.get(fixKey(document.uri, d.range.start.line, d.range.start.character, String(d.code)));
      if (!fix) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, new vscode.Range(d.range.start.line, fix.column - 1, d.range.start.line, fix.endColumn - 1), fix.text);
      action.diagnostics = [d];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }

  diagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  get selector(): vscode.DocumentFilter[] {
    return datasetSelector();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.disposables.forEach((d) => d.dispose());
  }
}

function fixKey(uri: vscode.Uri, line: number, character: number, code: string): string {
  return `${uri.toString()}|${line}|${character}|${code}`;
}

/** Unsaved text, line by line through the same validator (VS Code already decoded it and dropped any BOM). */
export function validateText(doc: vscode.TextDocument, phiErrors: boolean): ValidationResult {
  const v = new DatasetValidator({ phiAsErrors: phiErrors, phiAllowed: doc.uri.scheme === 'file' ? loadAllowPredicate(undefined, doc.uri.fsPath) : undefined });
  const last = doc.lineCount - 1;
  for (let i = 0; i <= last; i++) {
    const text = doc.lineAt(i).text;
    v.line(i + 1, text, i === last && text.length > 0);
  }
  return v.result();
}
