import * as vscode from 'vscode';
import { lazyCommand } from '../lazy';
import type { Label } from '../../core/labels/prefsRecord';
import type { ExportArgs } from './exportCommand';
import type { GenerateArgs } from './generateCommand';
import type { PreferenceEditorProvider } from './preferenceEditor';
import type { PairCodeLensProvider } from './pairCodeLens';
import type { TrainerChildren } from '../trainerChildren';
import { rememberAnnotatorIn } from './annotatorMemory';

// Ids repeated here (not imported) so activation evaluates no feature module: zod alone costs ~70 ms.
const LABELER_VIEW_TYPE = 'clinicalFt.preferenceLabeler';
const LABELER_OPTION_VIEW_TYPE = 'clinicalFt.preferenceLabelerAnyJsonl';

/**
 * Preference labeling: the labeler editor, pair CodeLens, candidate generation, export and agreement.
 * Registration only; each feature module loads on first use.
 */
export function registerLabeling(context: vscode.ExtensionContext, children: TrainerChildren): void {
  rememberAnnotatorIn(context.workspaceState);
  lazyCommand(context, 'clinicalFt.setAnnotator', async () => {
    const { setAnnotatorCommand } = await import('./annotator');
    return () => setAnnotatorCommand();
  });
  let labeler: Promise<PreferenceEditorProvider> | undefined;
  const getLabeler = () =>
    (labeler ??= import('./preferenceEditor').then(({ PreferenceEditorProvider }) => new PreferenceEditorProvider(context.extensionUri)));
  const editor: vscode.CustomTextEditorProvider = {
    resolveCustomTextEditor: async (document, panel) => (await getLabeler()).resolveCustomTextEditor(document, panel),
  };
  const options = { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true };

  let lenses: Promise<PairCodeLensProvider> | undefined;
  const getLenses = () => (lenses ??= import('./pairCodeLens').then(({ PairCodeLensProvider }) => new PairCodeLensProvider()));

  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(LABELER_VIEW_TYPE, editor, options),
    vscode.window.registerCustomEditorProvider(LABELER_OPTION_VIEW_TYPE, editor, options),
    vscode.languages.registerCodeLensProvider([{ language: 'jsonl' }, { pattern: '**/*.jsonl' }], {
      provideCodeLenses: async (document, token) => (await getLenses()).provideCodeLenses(document, token),
    }),
  );
  lazyCommand(context, 'clinicalFt.labels.applyLabel', async () => {
    const { applyLabelCommand } = await import('./labelEdits');
    return (uri: vscode.Uri, line: number, label: Label, expect?: number) => applyLabelCommand(uri, line, label, expect);
  });
  lazyCommand(context, 'clinicalFt.labels.openSideBySide', async () => {
    const provider = await getLabeler();
    return (uri: vscode.Uri, line: number) => provider.reveal(uri, line);
  });
  lazyCommand(context, 'clinicalFt.exportLabeledPairs', async () => {
    const { exportLabeledPairsCommand } = await import('./exportCommand');
    return (uri?: vscode.Uri, args?: ExportArgs) => exportLabeledPairsCommand(uri, args);
  });
  lazyCommand(context, 'clinicalFt.annotatorAgreement', async () => {
    const [{ annotatorAgreementCommand }, provider] = await Promise.all([import('./agreementCommand'), getLabeler()]);
    return (a?: vscode.Uri, b?: vscode.Uri) => annotatorAgreementCommand(provider, a, b);
  });
  lazyCommand(context, 'clinicalFt.generateCandidatePairs', async () => {
    const [{ generateCandidatePairsCommand }, provider] = await Promise.all([import('./generateCommand'), getLabeler()]);
    return (args?: GenerateArgs) => generateCandidatePairsCommand(context, children, provider, args ?? {});
  });
}
