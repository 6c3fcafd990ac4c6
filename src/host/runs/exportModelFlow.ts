// "Export model…" on a run: pick the format (and dtype or quant), an output folder, then `clinical-ft export
// --json` runs as a window child (TrainerChildren) behind a cancellable progress notification.
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES } from '../../core/runFolder';
import { parseExportEvent, type ExportEvent } from '../../core/export/exportEvents';
import { refuseUntrusted } from '../workspaceTrust';
import type { TrainerChildren } from '../trainerChildren';
import type { RunStore } from './runStore';

export interface ExportChoice {
  format: 'hf' | 'gguf';
  dtype?: 'bf16' | 'f16' | 'f32';
  quant?: 'q8_0';
  out?: string;
}

export type ExportOutcome = { out: string; files: string[] } | { refused: string } | { failed: string; cancelled: boolean } | undefined;

const FORMATS: (vscode.QuickPickItem & { choice: ExportChoice })[] = [
  { label: 'Hugging Face folder', description: 'merged safetensors in the base model’s dtype', detail: 'transformers, vLLM, TGI and this extension load it', choice: { format: 'hf' } },
  { label: 'Hugging Face folder (bf16)', description: 'merged safetensors in bfloat16', choice: { format: 'hf', dtype: 'bf16' } },
  { label: 'Hugging Face folder (f32)', description: 'merged safetensors in float32', choice: { format: 'hf', dtype: 'f32' } },
  { label: 'GGUF f16 + Ollama Modelfile', description: 'llama.cpp, Ollama, LM Studio', choice: { format: 'gguf' } },
  { label: 'GGUF q8_0 + Ollama Modelfile', description: '8-bit, about half the size of f16', choice: { format: 'gguf', quant: 'q8_0' } },
];

function defaultOut(runDir: string, c: ExportChoice): string {
  const base = path.join(runDir, 'exports', c.format === 'hf' ? `hf${c.dtype ? `-${c.dtype}` : ''}` : `gguf-${c.quant ?? 'f16'}`);
  let out = base;
  for (let i = 2; fs.existsSync(out); i++) out = `${base}-${i}`;
  return out;
}

/** The export command's arguments for a run's base model and adapter. */
export function exportArgs(model: string, adapter: string, out: string, c: ExportChoice): string[] {
  return ['export', '--model', model, '--adapter', adapter, '--out', out, '--format', c.format, ...(c.dtype ? ['--dtype', c.dtype] : []), ...(c.quant ? ['--quant', c.quant] : []), '--json'];
}

/**
 * `preset` (from a keybinding, a script or a test) skips the pickers it answers; the output folder is still
 * refused when it exists and is not empty (the CLI checks again).
 */
export async function exportModelFlow(store: RunStore, children: TrainerChildren, id: string | undefined, preset?: ExportChoice): Promise<ExportOutcome> {
  const refused = refuseUntrusted('Exporting a model');
  if (refused) return refused;
  if (!id) {
    // A run that finished moments ago (e.g. from the CLI) is listed even before the next folder scan.
    await store.refresh(true);
    const items = store.list().filter((e) => e.view?.status === 'completed').map((e) => ({ label: e.id, description: `${e.view!.method.toUpperCase()} · ${e.view!.dataset}` }));
    if (!items.length) {
      void vscode.window.showInformationMessage('Clinical FT: no completed run to export.');
      return undefined;
    }
    id = (await vscode.window.showQuickPick(items, { title: 'Export the model of run' }))?.label;
    if (!id) return undefined;
  }
  const entry = store.get(id);
  const adapter = entry ? path.join(entry.dir, RUN_FILES.adapter) : '';
  if (!entry?.record || !fs.existsSync(path.join(adapter, 'adapter_config.json'))) {
    const message = `Run ${id} has no adapter to export yet (it is written when the run completes).`;
    void vscode.window.showWarningMessage(`Clinical FT: ${message}`);
    return { refused: message };
  }
  const choice = preset ?? (await vscode.window.showQuickPick(FORMATS, { title: `Export run ${id}: format` }))?.choice;
  if (!choice) return undefined;
  const out =
    preset?.out ??
    (await vscode.window.showInputBox({
      title: `Export run ${id}: output folder`,
      value: defaultOut(entry.dir, choice),
      prompt: 'A new (or empty) folder; it appears only when the export is complete.',
      validateInput: (v) => (!v.trim() ? 'Enter a folder' : fs.existsSync(v) && (!fs.statSync(v).isDirectory() || fs.readdirSync(v).length > 0) ? 'This folder exists and is not empty' : undefined),
    }));
  if (!out) return undefined;
  return runExport(children, id, exportArgs(entry.record.config.model, adapter, out, choice));
}

function runExport(children: TrainerChildren, id: string, args: string[]): Promise<ExportOutcome> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Clinical FT: exporting run ${id}`, cancellable: true }, async (progress, token) => {
      const child = children.start({ label: `export ${id}`, args, lifetime: 'window' });
      const cancel = token.onCancellationRequested(() => child.cancel());
      let last: ExportEvent | undefined;
      const warnings: string[] = [];
      let shownPct = 0;
      let pending = '';
      child.process.stdout?.on('data', (d: Buffer) => {
        pending += d.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const e = parseExportEvent(line);
          if (!e) continue;
          if (e.type === 'progress') {
            const pct = Math.floor((100 * e.done) / Math.max(1, e.total));
            progress.report({ increment: pct - shownPct, message: `${e.done}/${e.total} ${e.message}` });
            shownPct = pct;
          } else if (e.type === 'warning') warnings.push(e.message);
          else last = e;
        }
      });
      const exit = await child.exited;
      cancel.dispose();
      if (last?.type === 'done') {
        for (const w of warnings) void vscode.window.showWarningMessage(`Clinical FT export: ${w}`);
        void vscode.window.showInformationMessage(`Clinical FT: exported run ${id} to ${last.out}`, 'Reveal').then((a) => {
          if (a === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(last && last.type === 'done' ? last.out : ''));
        });
        return { out: last.out, files: last.files };
      }
      const cancelled = child.cancelled || (last?.type === 'failed' && last.cancelled);
      const message = last?.type === 'failed' ? last.message : exit.startError ?? (child.stderr.trim().split('\n').pop() || `the exporter exited (${exit.signal ?? `code ${exit.code}`})`);
      if (cancelled) void vscode.window.showInformationMessage(`Clinical FT: export of run ${id} cancelled; nothing was written.`);
      else void vscode.window.showErrorMessage(`Clinical FT: export of run ${id} failed: ${message}`);
      return { failed: message, cancelled };
    }),
  );
}
