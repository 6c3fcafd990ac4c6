import { ALPACA_PLAIN_TEMPLATE, renderer, type SftRecord } from '../train/sftExamples';
import type { ChatTemplateLike } from '../train/lm';

/** What the model is asked (rendered exactly as in training) and the answer it should give. */
export interface EvalExample {
  line: number;
  id?: string | number;
  prompt: string;
  reference: string;
  /** Gold class for classification sets: the record's "label" field, else the trimmed reference. */
  label: string;
}

/**
 * Turns an SFT record into a prompt and reference. Plain-text records have no prompt to answer and
 * are refused by the caller.
 */
export function evalExample(record: SftRecord, raw: Record<string, unknown>, line: number, template: ChatTemplateLike | undefined): EvalExample | undefined {
  let prompt: string;
  let reference: string;
  if ('text' in record) return undefined;
  if ('messages' in record) {
    const k = record.messages.map((m) => m.role).lastIndexOf('assistant');
    if (k < 0) return undefined;
    prompt = renderer(template)(record.messages.slice(0, k), true);
    reference = record.messages[k].content;
  } else if ('instruction' in record) {
    const user = record.input ? `${record.instruction}\n\n${record.input}` : record.instruction;
    prompt = template
      ? renderer(template)([{ role: 'user', content: user }], true)
      : (record.input ? ALPACA_PLAIN_TEMPLATE.withInput : ALPACA_PLAIN_TEMPLATE.withoutInput).replace('{instruction}', record.instruction).replace('{input}', record.input ?? '');
    reference = record.output;
  } else {
    if (typeof record.prompt !== 'string' || typeof record.completion !== 'string') return undefined;
    prompt = record.prompt;
    reference = record.completion;
  }
  const label = typeof raw.label === 'string' ? raw.label : reference.trim();
  const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? raw.id : undefined;
  return { line, ...(id !== undefined ? { id } : {}), prompt, reference, label };
}

/**
 * Classification when every record carries a "label", or when the references come from a small set
 * (at most 20 distinct answers, each used twice on average); otherwise free text.
 */
export function isClassification(examples: EvalExample[], raws: Record<string, unknown>[]): boolean {
  if (raws.length > 0 && raws.every((r) => typeof r.label === 'string')) return true;
  const distinct = new Set(examples.map((e) => e.label)).size;
  return distinct <= 20 && distinct * 2 <= examples.length;
}
