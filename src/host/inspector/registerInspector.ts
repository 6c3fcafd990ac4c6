import * as vscode from 'vscode';
import { lazyCommand } from '../lazy';
import type { TrainingTokensCodeLens } from './showTrainingTokens';
import type { TrainerChildren } from '../trainerChildren';

export const SHOW_TRAINING_TOKENS = 'clinicalFt.showTrainingTokens';

/** What "Show training tokens" may be given: a file (and line) from a CodeLens, the preview or the run review. */
export interface ShowTokensRequest {
  file: string;
  /** 1-based; the first record when left out. */
  line?: number;
  model?: string;
  maxLength?: number;
}

/** "Show training tokens": the command and its CodeLens; the feature module loads on first use (activation budget). */
export function registerInspector(context: vscode.ExtensionContext, children: TrainerChildren): void {
  let lenses: Promise<TrainingTokensCodeLens> | undefined;
  const getLenses = () => (lenses ??= import('./showTrainingTokens').then(({ TrainingTokensCodeLens }) => new TrainingTokensCodeLens()));
  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider([{ language: 'jsonl' }, { pattern: '**/*.jsonl' }], {
      provideCodeLenses: async (document, token) => (await getLenses()).provideCodeLenses(document, token),
    }),
  );
  lazyCommand(context, SHOW_TRAINING_TOKENS, async () => {
    const { showTrainingTokens } = await import('./showTrainingTokens');
    return (arg?: unknown) => showTrainingTokens(context, children, arg);
  });
}
