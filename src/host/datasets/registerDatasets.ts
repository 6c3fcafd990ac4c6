import * as vscode from 'vscode';
import { lazyCommand } from '../lazy';
import { isDatasetDocument } from './datasetGlobs';
import type { DatasetDiagnostics } from './datasetDiagnostics';
import type { TrainerChildren } from '../trainerChildren';

/**
 * Datasets: live diagnostics on files matching clinicalFt.datasetGlobs, "Validate dataset" and "Open dataset
 * preview". Only listeners are registered at activation; the validator loads with the first dataset seen.
 */
export function registerDatasets(context: vscode.ExtensionContext, children: TrainerChildren): void {
  let diagnostics: Promise<DatasetDiagnostics> | undefined;
  const get = () =>
    (diagnostics ??= import('./datasetDiagnostics').then(({ DatasetDiagnostics }) => {
      const d = new DatasetDiagnostics(children);
      context.subscriptions.push(d);
      return d;
    }));
  const consider = (doc: vscode.TextDocument, immediate: boolean) => {
    if (!doc.fileName.endsWith('.jsonl') && doc.languageId !== 'jsonl') return;
    if (isDatasetDocument(doc)) void get().then((d) => d.schedule(doc, immediate));
  };
  for (const doc of vscode.workspace.textDocuments) consider(doc, true);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((doc) => consider(doc, true)),
    vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && consider(e.document, false)),
    vscode.workspace.onDidSaveTextDocument((doc) => consider(doc, true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (diagnostics && (e.affectsConfiguration('clinicalFt.datasetGlobs') || e.affectsConfiguration('clinicalFt.phiAsErrors'))) void get().then((d) => d.revalidateOpen());
    }),
  );
  lazyCommand(context, 'clinicalFt.validateDataset', async () => {
    const [{ validateDatasetCommand }, d] = await Promise.all([import('./validateDatasetCommand'), get()]);
    return (uri?: unknown) => validateDatasetCommand(d, uri);
  });
  lazyCommand(context, 'clinicalFt.redactDataset', async () => (await import('./redactDatasetCommand')).redactDatasetCommand);
  lazyCommand(context, 'clinicalFt.openDatasetPreview', async () => {
    const { openDatasetPreview } = await import('../datasetPreview/datasetPreviewPanel');
    return (uri?: unknown) => openDatasetPreview(context, children, uri);
  });
}
