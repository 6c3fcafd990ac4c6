// Dataset record formats (DESIGN.md "Datasets", a contract): zod schemas of each JSONL record shape, the
// normalized records the trainer consumes, and per-record format detection.
import { z } from 'zod';

export const Role = z.enum(['system', 'user', 'assistant']);
export type Role = z.infer<typeof Role>;

const text = z.string().min(1, 'must not be empty');

export const Message = z.object({ role: Role, content: text });
export type Message = z.infer<typeof Message>;

const common = {
  id: z.union([z.string().min(1, 'must not be empty'), z.number()]).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
};

/** SFT: loss on completion (+EOS). */
export const PromptCompletionRecord = z.object({ ...common, prompt: text, completion: text });
/** SFT chat: loss on assistant turns. */
export const MessagesRecord = z.object({ ...common, messages: z.array(Message).min(1, 'must have at least one message') });
/** SFT plain text: loss on everything. */
export const TextRecord = z.object({ ...common, text });
/** SFT alpaca: instruction (+ input) → output. */
export const AlpacaRecord = z.object({ ...common, instruction: text, input: z.string().optional(), output: text });

const turnOrText = z.union([text, z.array(Message).min(1, 'must have at least one message')]);
/** DPO with an explicit prompt; each side is a string or a list of messages. */
export const PreferenceRecord = z.object({ ...common, prompt: turnOrText, chosen: turnOrText, rejected: turnOrText });
/** DPO with an implicit prompt: the shared prefix of chosen and rejected is the prompt. */
export const ImplicitPreferenceRecord = z.object({ ...common, chosen: turnOrText, rejected: turnOrText });

export const SFT_FORMATS = ['prompt_completion', 'messages', 'text', 'alpaca'] as const;
export const DPO_FORMATS = ['preference', 'implicit_preference'] as const;
export type SftFormat = (typeof SFT_FORMATS)[number];
export type DpoFormat = (typeof DPO_FORMATS)[number];
export type RecordFormat = SftFormat | DpoFormat;
export type DatasetKind = 'sft' | 'dpo';

export const FORMAT_SCHEMAS = {
  prompt_completion: PromptCompletionRecord,
  messages: MessagesRecord,
  text: TextRecord,
  alpaca: AlpacaRecord,
  preference: PreferenceRecord,
  implicit_preference: ImplicitPreferenceRecord,
} as const;

/** The fields each format knows; anything else on a record is an "unknown field" warning. */
export const FORMAT_FIELDS: Record<RecordFormat, readonly string[]> = {
  prompt_completion: ['id', 'meta', 'prompt', 'completion'],
  messages: ['id', 'meta', 'messages'],
  text: ['id', 'meta', 'text'],
  alpaca: ['id', 'meta', 'instruction', 'input', 'output'],
  preference: ['id', 'meta', 'prompt', 'chosen', 'rejected'],
  implicit_preference: ['id', 'meta', 'chosen', 'rejected'],
};

export function kindOf(format: RecordFormat): DatasetKind {
  return (DPO_FORMATS as readonly string[]).includes(format) ? 'dpo' : 'sft';
}

export const FORMAT_LABELS: Record<RecordFormat, string> = {
  prompt_completion: 'SFT prompt/completion',
  messages: 'SFT chat messages',
  text: 'SFT plain text',
  alpaca: 'SFT alpaca (instruction/input/output)',
  preference: 'DPO prompt/chosen/rejected',
  implicit_preference: 'DPO chosen/rejected (implicit prompt)',
};

// ---- normalized records (what readRecords yields) ----

interface Common {
  id?: string | number;
  meta?: Record<string, unknown>;
}
export interface PromptCompletionSft extends Common {
  kind: 'sft';
  format: 'prompt_completion' | 'alpaca';
  /** For alpaca: instruction, then a blank line and input when input is non-empty. */
  prompt: string;
  completion: string;
}
export interface MessagesSft extends Common {
  kind: 'sft';
  format: 'messages';
  messages: Message[];
}
export interface TextSft extends Common {
  kind: 'sft';
  format: 'text';
  text: string;
}
export type SftRecord = PromptCompletionSft | MessagesSft | TextSft;

export interface DpoRecord extends Common {
  kind: 'dpo';
  format: DpoFormat;
  /** Strings on every side, or message lists on every side (the prompt ending in a user turn). */
  prompt: string | Message[];
  chosen: string | Message[];
  rejected: string | Message[];
}
export type DatasetRecord = SftRecord | DpoRecord;

/**
 * Which format a parsed JSON object claims to be, by its keys, or undefined when it matches none. Keys decide,
 * not value types, so a record with a wrong-typed field is still reported against the format it aimed for.
 */
export function detectFormat(value: unknown): RecordFormat | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if ('chosen' in o || 'rejected' in o) return 'prompt' in o ? 'preference' : 'implicit_preference';
  if ('messages' in o) return 'messages';
  if ('instruction' in o) return 'alpaca';
  if ('prompt' in o) return 'prompt_completion';
  if ('completion' in o) return 'prompt_completion';
  if ('output' in o) return 'alpaca';
  if ('text' in o) return 'text';
  return undefined;
}

/** Turns a schema-valid raw record into the trainer's normalized form. */
export function normalizeRecord(format: RecordFormat, raw: Record<string, unknown>): DatasetRecord {
  let r: DatasetRecord;
  switch (format) {
    case 'prompt_completion':
      r = { kind: 'sft', format, prompt: raw.prompt as string, completion: raw.completion as string };
      break;
    case 'alpaca': {
      const input = (raw.input as string | undefined) ?? '';
      const prompt = input ? `${raw.instruction as string}\n\n${input}` : (raw.instruction as string);
      r = { kind: 'sft', format, prompt, completion: raw.output as string };
      break;
    }
    case 'messages':
      r = { kind: 'sft', format, messages: raw.messages as Message[] };
      break;
    case 'text':
      r = { kind: 'sft', format, text: raw.text as string };
      break;
    case 'preference':
      r = { kind: 'dpo', format, prompt: raw.prompt as string | Message[], chosen: raw.chosen as string | Message[], rejected: raw.rejected as string | Message[] };
      break;
    case 'implicit_preference': {
      const { prompt, chosen, rejected } = splitImplicitPrompt(raw.chosen as string | Message[], raw.rejected as string | Message[]);
      r = { kind: 'dpo', format, prompt, chosen, rejected };
      break;
    }
  }
  if (raw.id !== undefined) r.id = raw.id as string | number;
  if (raw.meta !== undefined) r.meta = raw.meta as Record<string, unknown>;
  return r;
}

/**
 * Implicit prompt = the longest shared prefix (TRL's extract_prompt): whole messages for chat lists; for strings,
 * characters, backing off a trailing space so the answers keep their leading space.
 */
export function splitImplicitPrompt(
  chosen: string | Message[],
  rejected: string | Message[],
): { prompt: string | Message[]; chosen: string | Message[]; rejected: string | Message[] } {
  if (typeof chosen === 'string' && typeof rejected === 'string') {
    let i = 0;
    const n = Math.min(chosen.length, rejected.length);
    while (i < n && chosen[i] === rejected[i]) i++;
    if (i < n && i > 0 && chosen[i - 1] === ' ') i--;
    return { prompt: chosen.slice(0, i), chosen: chosen.slice(i), rejected: rejected.slice(i) };
  }
  if (Array.isArray(chosen) && Array.isArray(rejected)) {
    let i = 0;
    const n = Math.min(chosen.length, rejected.length);
    while (i < n && chosen[i].role === rejected[i].role && chosen[i].content === rejected[i].content) i++;
    return { prompt: chosen.slice(0, i), chosen: chosen.slice(i), rejected: rejected.slice(i) };
  }
  return { prompt: '', chosen, rejected };
}
