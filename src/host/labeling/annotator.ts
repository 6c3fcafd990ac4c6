import * as os from 'node:os';
import * as vscode from 'vscode';
import { configuredAnnotator } from '../settings';
import { annotatorMemory } from './annotatorMemory';

const KEY = 'clinicalFt.annotator';
const changed = new vscode.EventEmitter<string>();
/** Fires with the new name when "Set annotator name" (or the first label's question) changes it. */
export const onDidChangeAnnotator = changed.event;

/**
 * Who is labeling: setting clinicalFt.annotator (user settings only), else the name this workspace was given
 * (asked once, at the first label); undefined until then. Never the OS account: in containers it is "root".
 */
export function annotatorName(): string | undefined {
  return configuredAnnotator() ?? annotatorMemory()?.get<string>(KEY)?.trim() ?? undefined;
}

function osUser(): string | undefined {
  try {
    const u = os.userInfo().username;
    return u && u !== 'root' ? u : undefined;
  } catch {
    // userInfo throws when the uid has no passwd entry (some containers).
    return undefined;
  }
}

async function askName(current: string | undefined, first: boolean): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: first ? 'Clinical FT: your name as annotator' : 'Clinical FT: set annotator name',
    prompt: 'Recorded on every label in this workspace (meta.annotator), so agreement between annotators can be measured.',
    value: current ?? osUser() ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'A name or initials, so each label says who decided' : v.trim().length > 100 ? 'At most 100 characters' : undefined),
  });
  return name?.trim() || undefined;
}

async function remember(name: string): Promise<void> {
  await annotatorMemory()?.update(KEY, name);
  changed.fire(name);
}

/** The annotator for a label about to be written: asks once per workspace; undefined when the person declines. */
export async function ensureAnnotator(): Promise<string | undefined> {
  const known = annotatorName();
  if (known) return known;
  const name = await askName(undefined, true);
  if (name) await remember(name);
  return name;
}

/** "Clinical FT: Set annotator name": changes the name this workspace records from now on. */
export async function setAnnotatorCommand(): Promise<string | undefined> {
  const name = await askName(annotatorMemory()?.get<string>(KEY) ?? configuredAnnotator(), false);
  if (!name) return undefined;
  await remember(name);
  const configured = configuredAnnotator();
  if (configured && configured !== name) {
    void vscode.window.showWarningMessage(`Clinical FT: your user setting clinicalFt.annotator ("${configured}") still takes precedence; clear it to label as "${name}".`);
  }
  return name;
}
