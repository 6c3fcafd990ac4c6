import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TokenCounter {
  /** Model folder name shown in the stats. */
  name: string;
  count(text: string): number;
}

/** The selected model (clinicalFt.defaultModel, else the bundled sample model) folder holding a tokenizer.json. */
function modelDirs(extensionPath: string): string[] {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const configured = vscode.workspace.getConfiguration('clinicalFt').get<string>('defaultModel') ?? '';
  const dirs: string[] = [];
  if (configured) dirs.push(path.isAbsolute(configured) || !ws ? configured : path.join(ws, configured));
  else {
    if (ws) dirs.push(path.join(ws, 'datasets-sample', 'model'));
    dirs.push(path.join(extensionPath, 'datasets-sample', 'model'));
  }
  return dirs;
}

/** Loads the model's tokenizer with @huggingface/tokenizers; undefined when there is none (lengths in characters). */
export async function loadTokenCounter(extensionPath: string): Promise<TokenCounter | undefined> {
  const dir = modelDirs(extensionPath).find((d) => fs.existsSync(path.join(d, 'tokenizer.json')));
  if (!dir) return undefined;
  try {
    const json = JSON.parse(await fs.promises.readFile(path.join(dir, 'tokenizer.json'), 'utf8')) as object;
    const cfgFile = path.join(dir, 'tokenizer_config.json');
    const config = fs.existsSync(cfgFile) ? (JSON.parse(await fs.promises.readFile(cfgFile, 'utf8')) as object) : {};
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const tok = new Tokenizer(json, config);
    return { name: path.basename(dir), count: (text) => tok.encode(text, { add_special_tokens: false }).ids.length };
  } catch (e) {
    console.warn(`[clinical-ft] cannot load the tokenizer of ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
