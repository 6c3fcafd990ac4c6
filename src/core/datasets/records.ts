// Dataset record formats (DESIGN.md "Datasets", a contract): zod schemas of each JSONL record shape, the
// normalized records the trainer consumes, and per-record format detection.
import { z } from 'zod';

export const Role = z.enum(['system', 'user', 'assistant', 'tool']);
export type Role = z.infer<typeof Role>;

const text = z.string().min(1, 'must not be empty');

/** An assistant's function call (OpenAI/TRL shape); arguments as an object or a JSON string. */
export const ToolCall = z.object({
  type: z.literal('function').optional(),
  id: z.string().optional(),
  function: z.object({ name: text, arguments: z.union([z.record(z.string(), z.unknown()), z.string()]) }),
});
export type ToolCall = z.infer<typeof ToolCall>;

/**
 * One chat message, the one type every room uses. `content` may be left out only by an assistant turn that calls
 * tools (TRL's tool-calling format); a `tool` turn carries the tool's answer.
 */
export const ChatMessage = z
  .object({
    role: Role,
    content: text.optional(),
    tool_calls: z.array(ToolCall).min(1, 'must have at least one call').optional(),
    name: z.string().optional(),
    tool_call_id: z.string().optional(),
  })
  .refine((m) => m.content !== undefined || (m.role === 'assistant' && m.tool_calls !== undefined), {
    message: 'missing required field "content" (only an assistant turn with "tool_calls" may leave it out)',
    path: ['content'],
  });
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A prompt or an answer: plain text (standard) or a list of messages (conversational). */
export const Turns = z.union([z.string(), z.array(ChatMessage)]);
export type Turns = z.infer<typeof Turns>;

/** What a message says, as text: its content, or its tool calls written out (previews, hashes, PHI). */
export function messageText(m: Pick<ChatMessage, 'content' | 'tool_calls'>): string {
  if (m.content !== undefined) return m.content;
  return (m.tool_calls ?? []).map((c) => `${c.function.name}(${typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments)})`).join('\n');
}

/** A side of a record as text: the string itself, or the messages' text joined by newlines. */
export function turnsPlainText(t: Turns): string {
  return typeof t === 'string' ? t : t.map(messageText).join('\n');
}

const common = {
  id: z.union([z.string().min(1, 'must not be empty'), z.number()]).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
};
/** Tool (function) schemas handed to the chat template's `tools` variable, as TRL does. */
const tools = z.array(z.record(z.string(), z.unknown())).optional();

const messageList = z.array(ChatMessage).min(1, 'must have at least one message');
const turnOrText = z.union([text, messageList]);

/** SFT: loss on completion (+EOS); prompt and completion are strings or message lists (conversational). */
export const PromptCompletionRecord = z.object({ ...common, prompt: turnOrText, completion: turnOrText, tools });
/** SFT chat: loss on assistant turns (tool calls included, tool answers not). */
export const MessagesRecord = z.object({ ...common, messages: messageList, tools });
/** SFT plain text: loss on everything. */
export const TextRecord = z.object({ ...common, text });
/** SFT alpaca: instruction (+ input) → output. */
export const AlpacaRecord = z.object({ ...common, instruction: text, input: z.string().optional(), output: text });

/** DPO with an explicit prompt; each side is a string or a list of messages. */
export const PreferenceRecord = z.object({ ...common, prompt: turnOrText, chosen: turnOrText, rejected: turnOrText, tools });
/** DPO with an implicit prompt: the shared prefix of chosen and rejected is the prompt. */
export const ImplicitPreferenceRecord = z.object({ ...common, chosen: turnOrText, rejected: turnOrText, tools });
/** TRL's unpaired preference (KTO): one completion, labelled desirable (true) or not (false). */
export const UnpairedPreferenceRecord = z.object({ ...common, prompt: turnOrText, completion: turnOrText, label: z.boolean(), tools });

export const SFT_FORMATS = ['prompt_completion', 'messages', 'text', 'alpaca'] as const;
export const DPO_FORMATS = ['preference', 'implicit_preference'] as const;
export const KTO_FORMATS = ['unpaired_preference'] as const;
export type SftFormat = (typeof SFT_FORMATS)[number];
export type DpoFormat = (typeof DPO_FORMATS)[number];
export type KtoFormat = (typeof KTO_FORMATS)[number];
export type RecordFormat = SftFormat | DpoFormat | KtoFormat;
/** What a format trains: SFT, paired preference (DPO) or unpaired preference (KTO, validated and inspected only). */
export type DatasetKind = 'sft' | 'dpo' | 'kto';

export const FORMAT_SCHEMAS = {
  prompt_completion: PromptCompletionRecord,
  messages: MessagesRecord,
  text: TextRecord,
  alpaca: AlpacaRecord,
  preference: PreferenceRecord,
  implicit_preference: ImplicitPreferenceRecord,
  unpaired_preference: UnpairedPreferenceRecord,
} as const;

/** The fields each format knows; anything else on a record is an "unknown field" warning. */
export const FORMAT_FIELDS: Record<RecordFormat, readonly string[]> = {
  prompt_completion: ['id', 'meta', 'prompt', 'completion', 'tools'],
  messages: ['id', 'meta', 'messages', 'tools'],
  text: ['id', 'meta', 'text'],
  alpaca: ['id', 'meta', 'instruction', 'input', 'output'],
  preference: ['id', 'meta', 'prompt', 'chosen', 'rejected', 'tools'],
  implicit_preference: ['id', 'meta', 'chosen', 'rejected', 'tools'],
  unpaired_preference: ['id', 'meta', 'prompt', 'completion', 'label', 'tools'],
};

/** The fields that hold what the model reads (strings or message lists), in record order. */
export const TEXT_FIELDS: Record<RecordFormat, readonly string[]> = {
  prompt_completion: ['prompt', 'completion'],
  messages: ['messages'],
  text: ['text'],
  alpaca: ['instruction', 'input', 'output'],
  preference: ['prompt', 'chosen', 'rejected'],
  implicit_preference: ['chosen', 'rejected'],
  unpaired_preference: ['prompt', 'completion'],
};

export function kindOf(format: RecordFormat): DatasetKind {
  if ((DPO_FORMATS as readonly string[]).includes(format)) return 'dpo';
  return (KTO_FORMATS as readonly string[]).includes(format) ? 'kto' : 'sft';
}

export const FORMAT_LABELS: Record<RecordFormat, string> = {
  prompt_completion: 'SFT prompt/completion',
  messages: 'SFT chat messages',
  text: 'SFT plain text',
  alpaca: 'SFT alpaca (instruction/input/output)',
  preference: 'DPO prompt/chosen/rejected',
  implicit_preference: 'DPO chosen/rejected (implicit prompt)',
  unpaired_preference: 'KTO unpaired preference (prompt/completion/label)',
};

// ---- normalized records (what readRecords and the trainer's loader yield; the one record type) ----

interface Common {
  id?: string | number;
  meta?: Record<string, unknown>;
  /** Tool schemas for the chat template (tool-calling records). */
  tools?: Record<string, unknown>[];
}
export interface PromptCompletionSft extends Common {
  kind: 'sft';
  format: 'prompt_completion';
  prompt: Turns;
  completion: Turns;
}
export interface AlpacaSft extends Common {
  kind: 'sft';
  format: 'alpaca';
  instruction: string;
  input: string;
  /** instruction, then a blank line and input when input is non-empty (the user turn under a chat template). */
  prompt: string;
  completion: string;
}
export interface MessagesSft extends Common {
  kind: 'sft';
  format: 'messages';
  messages: ChatMessage[];
}
export interface TextSft extends Common {
  kind: 'sft';
  format: 'text';
  text: string;
}
export type SftRecord = PromptCompletionSft | AlpacaSft | MessagesSft | TextSft;

export interface DpoRecord extends Common {
  kind: 'dpo';
  format: DpoFormat;
  /** Strings on every side, or message lists on every side (the prompt ending in a user turn). */
  prompt: Turns;
  chosen: Turns;
  rejected: Turns;
}
export interface UnpairedRecord extends Common {
  kind: 'kto';
  format: KtoFormat;
  prompt: Turns;
  completion: Turns;
  label: boolean;
}
export type DatasetRecord = SftRecord | DpoRecord | UnpairedRecord;

/**
 * Which format a parsed JSON object claims to be, by its keys, or undefined when it matches none. Keys decide,
 * not value types, so a record with a wrong-typed field is still reported against the format it aimed for.
 */
export function detectFormat(value: unknown): RecordFormat | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if ('chosen' in o || 'rejected' in o) return 'prompt' in o ? 'preference' : 'implicit_preference';
  if ('label' in o && typeof o.label === 'boolean' && ('completion' in o || 'prompt' in o)) return 'unpaired_preference';
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
      r = { kind: 'sft', format, prompt: raw.prompt as Turns, completion: raw.completion as Turns };
      break;
    case 'alpaca': {
      const instruction = raw.instruction as string;
      const input = (raw.input as string | undefined) ?? '';
      const prompt = input ? `${instruction}\n\n${input}` : instruction;
      r = { kind: 'sft', format, instruction, input, prompt, completion: raw.output as string };
      break;
    }
    case 'messages':
      r = { kind: 'sft', format, messages: raw.messages as ChatMessage[] };
      break;
    case 'text':
      r = { kind: 'sft', format, text: raw.text as string };
      break;
    case 'preference':
      r = { kind: 'dpo', format, prompt: raw.prompt as Turns, chosen: raw.chosen as Turns, rejected: raw.rejected as Turns };
      break;
    case 'implicit_preference': {
      const { prompt, chosen, rejected } = splitImplicitPrompt(raw.chosen as Turns, raw.rejected as Turns);
      r = { kind: 'dpo', format, prompt, chosen, rejected };
      break;
    }
    case 'unpaired_preference':
      r = { kind: 'kto', format, prompt: raw.prompt as Turns, completion: raw.completion as Turns, label: raw.label as boolean };
      break;
  }
  if (Array.isArray(raw.tools)) r.tools = raw.tools as Record<string, unknown>[];
  if (raw.id !== undefined) r.id = raw.id as string | number;
  if (raw.meta !== undefined) r.meta = raw.meta as Record<string, unknown>;
  return r;
}

/**
 * Implicit prompt = the longest shared prefix (TRL's extract_prompt): whole messages for chat lists; for strings,
 * characters, backing off a trailing space so the answers keep their leading space.
 */
export function splitImplicitPrompt(chosen: Turns, rejected: Turns): { prompt: Turns; chosen: Turns; rejected: Turns } {
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
    while (i < n && JSON.stringify(chosen[i]) === JSON.stringify(rejected[i])) i++;
    return { prompt: chosen.slice(0, i), chosen: chosen.slice(i), rejected: rejected.slice(i) };
  }
  return { prompt: '', chosen, rejected };
}
