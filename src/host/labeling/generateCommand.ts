import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidatesFileName, extractPrompts, generateCandidatePairs, generateRequestFor, type PairGenerationSummary } from '../../core/labels/candidatePairs';
import { TrainerProcess } from '../trainerProcess';
import type { TrainerChildren } from '../trainerChildren';
import type { PreferenceEditorProvider } from './preferenceEditor';
import { pickAdapterFolder, pickModelFolder, pickPromptsFile } from './generationPickers';
import { refuseUntrusted } from '../workspaceTrust';


export interface GenerateArgs {
  prompts?: string;
  model?: string;
  /** '' = base model only. */
  adapter?: string;
  out?: string;
  temperature?: number;
  maxNewTokens?: number;
  seed?: number;
  /** Tests: do not open the result. */
  noOpen?: boolean;
}

/**
 * "Clinical FT: Generate candidate pairs": the trainer child process samples two responses per prompt
 * (different seeds; identical pairs re-sampled) into a new *.prefs.jsonl of unlabeled records, appended and
 * fsynced record by record so a cancel or crash keeps everything generated so far.
 */
export async function generateCandidatePairsCommand(
  context: vscode.ExtensionContext,
  children: TrainerChildren,
  labeler: PreferenceEditorProvider,
  args: GenerateArgs = {},
): Promise<(PairGenerationSummary & { out: string; error?: string }) | undefined> {
  if (refuseUntrusted('Generating candidate pairs', 'it samples from a model in a local trainer process on files from this workspace')) return undefined;
  const promptsFile = args.prompts ?? (await pickPromptsFile());
  if (!promptsFile) return undefined;
  const model = args.model ?? (await pickModelFolder(context.extensionPath));
  if (!model) return undefined;
  const adapter = args.adapter ?? (await pickAdapterFolder());
  if (adapter === undefined) return undefined;

  let text: string;
  try {
    text = await fs.promises.readFile(promptsFile, 'utf8');
  } catch (e) {
    void vscode.window.showErrorMessage(`Clinical FT: cannot read ${promptsFile}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const { prompts, errors } = extractPrompts(text, { plainText: /\.txt$/i.test(promptsFile) });
  if (prompts.length === 0) {
    const first = errors[0] ? ` (line ${errors[0].line}: ${errors[0].message})` : '';
    void vscode.window.showErrorMessage(`Clinical FT: no prompts found in ${path.basename(promptsFile)}${first}.`);
    return undefined;
  }
  const out = args.out ?? freeName(candidatesFileName(promptsFile));
  const temperature = args.temperature ?? 0.8;
  const maxNewTokens = args.maxNewTokens ?? 128;

  let fh: fs.promises.FileHandle;
  try {
    // 'wx': never append to or replace an existing file — it may hold someone's labels.
    fh = await fs.promises.open(out, 'wx');
  } catch (e) {
    void vscode.window.showErrorMessage(`Clinical FT: cannot create ${out}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const trainer = new TrainerProcess(children, { label: 'generate candidates', cwd: path.dirname(promptsFile) });
  let cancelled = false;
  let written = 0;
  let tokens = 0;
  let done = 0;
  try {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Clinical FT: generating candidate pairs for ${prompts.length} prompts`, cancellable: true },
      async (progress, token) => {
        const tokenEvents = trainer.onEvent((e) => {
          if (e.type !== 'token') return;
          // Token streaming keeps the notification alive on slow models: the user sees work happening.
          if (++tokens % 8 === 0) progress.report({ message: `${done}/${prompts.length} prompts · ${tokens} tokens sampled` });
        });
        // A killed trainer answers nothing (and its exit event dies with it), so a pending sample must
        // settle on the cancel itself.
        let onCancel!: () => void;
        const cancelledSignal = new Promise<never>((_, reject) => (onCancel = () => reject(new Error('cancelled'))));
        cancelledSignal.catch(() => undefined);
        token.onCancellationRequested(() => {
          cancelled = true;
          onCancel();
          // Generation cannot be interrupted mid-sample; ending the process is the cancel.
          trainer.dispose();
        });
        try {
          return await generateCandidatePairs(
            prompts,
            async (req) => {
              const request = generateRequestFor(req, { model, ...(adapter ? { adapter } : {}), maxNewTokens });
              const r = await Promise.race([trainer.request(request as Parameters<TrainerProcess['request']>[0], 'generated'), cancelledSignal]);
              return r.text;
            },
            {
              temperature,
              baseSeed: args.seed ?? 1,
              maxResamples: 3,
              model,
              ...(adapter ? { adapter } : {}),
              isCancelled: () => cancelled,
              onRecord: async (line, k, total) => {
                await fh.appendFile(line + '\n', 'utf8');
                await fh.sync();
                written++;
                done = k;
                progress.report({ message: `${k}/${total} prompts · ${tokens} tokens sampled`, increment: 100 / total });
              },
            },
          );
        } catch (e) {
          if (cancelled) return { written, failed: [], identical: [], cancelled: true };
          throw e;
        } finally {
          tokenEvents.dispose();
        }
      },
    );
    const skipped = summary.identical.length ? `, ${summary.identical.length} skipped (identical after resampling: ${summary.identical.slice(0, 5).join(', ')})` : '';
    const failed = summary.failed.length ? `, ${summary.failed.length} prompt(s) failed (${summary.failed[0].id}: ${summary.failed[0].error})` : '';
    const errs = errors.length ? `, ${errors.length} prompt line(s) unreadable (first: line ${errors[0].line}, ${errors[0].message})` : '';
    void vscode.window.showInformationMessage(`Clinical FT: ${written} candidate pair(s) written to ${path.basename(out)}${skipped}${failed}${errs}${summary.cancelled ? ' — cancelled' : ''}.`);
    if (!args.noOpen && written > 0) await labeler.reveal(vscode.Uri.file(out), 0, vscode.ViewColumn.Active);
    return { ...summary, written, out };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // Shown once here; rethrowing would make the palette show the same failure again as a modal.
    void vscode.window.showErrorMessage(`Clinical FT: candidate generation failed — ${msg.split('\n')[0]}`);
    return { written, failed: [], identical: [], cancelled, out, error: msg };
  } finally {
    await fh.close();
    trainer.dispose();
    // An empty file would only be clutter (and block the name next time); it is ours, created above.
    if (written === 0) await fs.promises.rm(out, { force: true });
  }
}

function freeName(file: string): string {
  if (!fs.existsSync(file)) return file;
  const base = file.replace(/\.prefs\.jsonl$/i, '');
  for (let i = 2; ; i++) if (!fs.existsSync(`${base}-${i}.prefs.jsonl`)) return `${base}-${i}.prefs.jsonl`;
}
