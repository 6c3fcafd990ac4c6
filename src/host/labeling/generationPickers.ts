import * as vscode from 'vscode';
import { defaultModelFolder } from '../modelFolder';
import { isModelFolder } from '../../core/node/modelFolder';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsFolder } from '../runsFolder';

const CHOOSE = '$(folder-opened) Choose…';

type Item = vscode.QuickPickItem & { value: string };

async function pick(title: string, items: Item[]): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true, matchOnDescription: true });
  return picked?.value;
}

async function browse(title: string, folder: boolean, filters?: Record<string, string[]>): Promise<string | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title,
    canSelectFiles: !folder,
    canSelectFolders: folder,
    canSelectMany: false,
    ...(filters ? { filters } : {}),
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return uris?.[0]?.fsPath;
}

/** Prompts: SFT and prompts files of the workspace, or any JSONL/.txt chosen by hand. */
export async function pickPromptsFile(title = 'Generate candidate pairs (1/3): prompts'): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/*.{sft,prompts}.jsonl', '**/node_modules/**', 200);
  const items: Item[] = found
    .map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), value: u.fsPath }))
    .sort((a, b) => a.description.localeCompare(b.description));
  items.push({ label: CHOOSE, description: 'JSONL with prompt / messages / instruction / text, or .txt with one prompt per line', value: '' });
  const value = await pick(title, items);
  if (value === undefined) return undefined;
  return value || browse('Prompts file', false, { Prompts: ['jsonl', 'txt'] });
}

/** Base model: the setting, then the bundled sample model (extension, then workspace), then a chosen folder. */
export async function pickModelFolder(extensionPath: string): Promise<string | undefined> {
  const def = defaultModelFolder(extensionPath);
  const items: Item[] = [
    ...(def ? [{ label: `$(package) ${path.basename(def)}`, description: def, detail: 'Default base model', value: def }] : []),
    { label: CHOOSE, description: 'a Hugging Face model folder (config.json, *.safetensors, tokenizer.json)', value: '' },
  ];
  const value = await pick('Generate candidate pairs (2/3): base model', items);
  if (value === undefined) return undefined;
  const folder = value || (await browse('Base model folder', true));
  if (folder && !isModelFolder(folder)) {
    void vscode.window.showErrorMessage(`Clinical FT: ${folder} has no config.json — pick a Hugging Face model folder.`);
    return undefined;
  }
  return folder;
}

/** '' = sample from the base model alone; undefined = the person cancelled. Completed runs' adapters are offered. */
export async function pickAdapterFolder(): Promise<string | undefined> {
  const runs = runsFolder();
  let adapters: Item[] = [];
  try {
    if (runs && fs.existsSync(runs)) {
      adapters = fs
        .readdirSync(runs, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(runs, d.name, 'adapter', 'adapter_config.json')))
        .map((d) => ({ label: `$(history) ${d.name}`, description: 'adapter of a finished run', value: path.join(runs, d.name, 'adapter') }))
        .sort((a, b) => b.label.localeCompare(a.label));
    }
  } catch {
    // An unreadable runs folder only means no shortcuts; browsing still works.
  }
  const items: Item[] = [
    { label: '$(circle-slash) Base model only', value: '' },
    ...adapters,
    { label: CHOOSE, description: 'a PEFT LoRA adapter folder', value: '\0browse' },
  ];
  const value = await pick('Generate candidate pairs (3/3): adapter', items);
  if (value === undefined) return undefined;
  if (value !== '\0browse') return value;
  return browse('LoRA adapter folder (PEFT format)', true);
}
