// What the start flow says about each method: the dataset it expects, and how a starting adapter is used.
import { METHOD_LABELS, type Method } from './methods';

export const PREFERENCE_METHODS = ['dpo', 'kto', 'orpo', 'simpo'] as const satisfies readonly Method[];

export function datasetPlaceholder(method: Method): string {
  if (method === 'sft') return 'SFT records: prompt/completion, messages, text or alpaca';
  if (method === 'kto') return 'KTO: {"prompt","completion","label": true|false} per line, or preference pairs (a labeled *.prefs.jsonl follows its labels)';
  return `${method.toUpperCase()}: preference pairs, {"prompt","chosen","rejected"} per line`;
}

/** Dataset file names that suit the method sort first in the picker. */
export function datasetNameHint(method: Method): RegExp {
  if (method === 'sft') return /sft|train/i;
  return method === 'kto' ? /kto|pref|pair|dpo/i : /dpo|pref|pair/i;
}

/** The starting-adapter step: what "None" means and what the method usually starts from. */
export function adapterHints(method: Method): { none: string; placeholder: string } {
  switch (method) {
    case 'sft':
      return { none: 'fresh LoRA adapter', placeholder: 'Continue from an existing adapter, or none' };
    case 'orpo':
      return { none: 'ORPO from the base model (its usual start: one stage, no SFT)', placeholder: 'ORPO trains from the base model in one stage; an SFT adapter is optional' };
    case 'dpo':
      return { none: 'DPO on the base model', placeholder: 'DPO usually starts from an SFT adapter' };
    default:
      return { none: `${method.toUpperCase()} on the base model`, placeholder: `${method.toUpperCase()} can start from an SFT adapter (optional)` };
  }
}

/** The method picker of "Start preference run". */
export function preferenceMethodItems(): { method: Method; label: string; detail: string }[] {
  return PREFERENCE_METHODS.map((m) => {
    const [name, detail] = METHOD_LABELS[m].split(' — ');
    return { method: m, label: name, detail };
  });
}
