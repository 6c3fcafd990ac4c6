import type { ChatMessageLike, ChatTemplateLike, TokenizerLike } from './lm';

/** One tokenised training sequence: loss is taken on token t where lossMask[t] = 1. */
export interface TokenizedExample {
  ids: number[];
  lossMask: number[];
  truncated: boolean;
}

/** A piece of rendered text and whether the model is trained to produce it. */
interface Segment {
  text: string;
  train: boolean;
}

export type MessageList = ChatMessageLike[];
export type SftRecord =
  | { prompt: string | MessageList; completion: string | MessageList }
  | { messages: MessageList }
  | { text: string }
  | { instruction: string; input?: string; output: string };

/**
 * Templates used when the model has no chat template. Documented in README ("Dataset formats"):
 * Alpaca's own prompt for instruction records, and "### Role:" headings for chat records.
 */
export const ALPACA_PLAIN_TEMPLATE = {
  withInput:
    'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
  withoutInput:
    'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n',
};

function plainChat(messages: MessageList, addGenerationPrompt: boolean): string {
  const roleName = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  const body = messages.map((m) => `### ${roleName[m.role]}:\n${m.content}\n\n`).join('');
  return addGenerationPrompt ? `${body}### Assistant:\n` : body;
}

/** The model's chat template, or the plain "### Role:" template when it has none. */
export function renderer(template: ChatTemplateLike | undefined): (m: MessageList, gen: boolean) => string {
  return template ? (m, gen) => template.render(m, { addGenerationPrompt: gen }) : plainChat;
}

/**
 * Chat segments with loss on assistant turns only. Each assistant turn is the text the template adds
 * between "history + generation prompt" and "history + this turn" (so end-of-turn markers are
 * learned too); templates for which that is not a prefix fall back to the turn's content.
 */
function chatSegments(messages: MessageList, template: ChatTemplateLike | undefined, trainAssistant = true): Segment[] {
  const render = renderer(template);
  const full = render(messages, false);
  const segments: Segment[] = [];
  let cursor = 0;
  const push = (text: string, train: boolean) => {
    if (text) segments.push({ text, train });
  };
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const before = render(messages.slice(0, i), true);
    const upTo = render(messages.slice(0, i + 1), false);
    if (full.startsWith(upTo) && upTo.startsWith(before) && before.length >= cursor) {
      push(full.slice(cursor, before.length), false);
      push(upTo.slice(before.length), trainAssistant);
      cursor = upTo.length;
      return;
    }
    const at = full.indexOf(m.content, cursor);
    if (at < 0) return;
    push(full.slice(cursor, at), false);
    push(m.content, trainAssistant);
    cursor = at + m.content.length;
  });
  push(full.slice(cursor), false);
  return segments;
}

function isMessages(x: unknown): x is MessageList {
  return Array.isArray(x);
}

/** Turns a record into text segments with train flags, and says whether the appended EOS is trained. */
export function sftSegments(record: SftRecord, template: ChatTemplateLike | undefined): { segments: Segment[]; eos: boolean } {
  if ('messages' in record) return { segments: chatSegments(record.messages, template), eos: record.messages[record.messages.length - 1]?.role === 'assistant' };
  if ('text' in record) return { segments: [{ text: record.text, train: true }], eos: true };
  if ('instruction' in record) {
    const user = record.input ? `${record.instruction}\n\n${record.input}` : record.instruction;
    if (template) return { segments: chatSegments([{ role: 'user', content: user }, { role: 'assistant', content: record.output }], template), eos: true };
    const t = record.input ? ALPACA_PLAIN_TEMPLATE.withInput : ALPACA_PLAIN_TEMPLATE.withoutInput;
    const prompt = t.replace('{instruction}', record.instruction).replace('{input}', record.input ?? '');
    return { segments: [{ text: prompt, train: false }, { text: record.output, train: true }], eos: true };
  }
  const { prompt, completion } = record;
  if (isMessages(prompt) || isMessages(completion)) {
    const p: MessageList = isMessages(prompt) ? prompt : [{ role: 'user', content: prompt }];
    const c: MessageList = isMessages(completion) ? completion : [{ role: 'assistant', content: completion }];
    // Only the completion's turns are trained, not assistant turns inside the prompt history.
    const promptEnd = renderer(template)(p, true).length;
    let seen = 0;
    const segments = chatSegments([...p, ...c], template).map((s) => {
      const start = seen;
      seen += s.text.length;
      return { text: s.text, train: s.train && start >= promptEnd };
    });
    return { segments, eos: c[c.length - 1]?.role === 'assistant' };
  }
  return { segments: [{ text: prompt, train: false }, { text: completion, train: true }], eos: true };
}

/**
 * Tokenises segments one by one so the prompt/completion boundary is exact (TRL's completion-only
 * loss), prepends BOS when the tokenizer has one and the text did not produce it, appends EOS (trained
 * when `trainEos`), and truncates on the right to maxLength.
 */
export function tokenizeSegments(segments: Segment[], trainEos: boolean, tok: TokenizerLike, maxLength: number): TokenizedExample {
  const ids: number[] = [];
  const lossMask: number[] = [];
  for (const s of segments) {
    const part = tok.encode(s.text, { addSpecialTokens: false });
    for (const id of part) {
      ids.push(id);
      lossMask.push(s.train ? 1 : 0);
    }
  }
  if (tok.bosId !== undefined && ids[0] !== tok.bosId) {
    ids.unshift(tok.bosId);
    lossMask.unshift(0);
  }
  if (ids[ids.length - 1] !== tok.eosId) {
    ids.push(tok.eosId);
    lossMask.push(trainEos ? 1 : 0);
  }
  lossMask[0] = 0;
  const truncated = ids.length > maxLength;
  return { ids: ids.slice(0, maxLength), lossMask: lossMask.slice(0, maxLength), truncated };
}

export function tokenizeSft(record: SftRecord, tok: TokenizerLike, template: ChatTemplateLike | undefined, maxLength: number): TokenizedExample {
  const { segments, eos } = sftSegments(record, template);
  return tokenizeSegments(segments, eos, tok, maxLength);
}
