// Which folder is "the model": the one rule for the Start Run flow, candidate generation, the dataset preview's
// token counts, the inspector and the demo. A Hugging Face model folder is one holding config.json.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MODEL_CONFIG = 'config.json';

export function isModelFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, MODEL_CONFIG));
}

/**
 * The default base model: the clinicalFt.defaultModel setting (relative to the workspace), else the bundled sample
 * model (extension, then workspace copy); the first that is a model folder, or undefined.
 */
export function defaultModelFolder(where: { setting?: string; workspace?: string; extensionPath: string }): string | undefined {
  const { setting, workspace: ws, extensionPath } = where;
  const candidates = [
    setting ? (path.isAbsolute(setting) || !ws ? setting : path.join(ws, setting)) : undefined,
    path.join(extensionPath, 'datasets-sample', 'model'),
    ws ? path.join(ws, 'datasets-sample', 'model') : undefined,
  ];
  return candidates.find((c): c is string => c !== undefined && isModelFolder(c));
}

/** Refuses a folder that is not a model folder with a message saying what is missing. */
export function requireModelFolder(dir: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: model folder not found`);
  if (!isModelFolder(dir)) throw new Error(`${dir}: not a Hugging Face model folder (no ${MODEL_CONFIG})`);
  return dir;
}
