// How a dataset record becomes text with train flags: the one rule for SFT, DPO, KTO, evaluation, candidate
// generation and the inspector. Pure (no tokenizer): src/trainer/prompt/renderRecord.ts turns segments into ids.
import type { ChatMessage, DatasetRecord, DpoRecord, Turns } from '../datasets/records';

/** A model's chat template (src/trainer/engine/chatTemplate.ts), or anything rendering messages the same way. */
export interface ChatTemplateLike {
  render(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean; tools?: Record<string, unknown>[] }): string;
}

/** A piece of rendered text and whether the model is trained to produce it. */
export interface Segment {
  text: string;
  train: boolean;
}

/**
 * A record's rendered text and the EOS after it, as TRL does: standard text gets an EOS (trained when it ends an
 * answer); a conversation rendered by the model's chat template gets none for SFT (its end-of-turn markers are
 * the trained stop), while DPO appends one to every response; the plain "### Role:" fallback has no end marker
 * of its own, so it keeps the EOS.
 */
export interface RenderedText {
  segments: Segment[];
  eos: 'train' | 'context' | 'none';
}

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

const PLAIN_ROLE = { system: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool' } as const;

function plainMessage(m: ChatMessage): string {
  const calls = (m.tool_calls ?? []).map((c) => JSON.stringify({ name: c.function.name, arguments: c.function.arguments }));
  return `### ${PLAIN_ROLE[m.role]}:\n${[m.content ?? '', ...calls].filter(Boolean).join('\n')}\n\n`;
}

/** The plain "### Role:" chat rendering (no chat template). */
export function plainChat(messages: ChatMessage[], addGenerationPrompt: boolean): string {
  const body = messages.map(plainMessage).join('');
  return addGenerationPrompt ? `${body}### Assistant:\n` : body;
}

type Render = (m: ChatMessage[], gen: boolean) => string;

/** The model's chat template (tools handed to its `tools` variable), or the plain "### Role:" template. */
export function renderer(template: ChatTemplateLike | undefined, tools?: Record<string, unknown>[]): Render {
  if (!template) return plainChat;
  return (m, gen) => template.render(m, { addGenerationPrompt: gen, ...(tools ? { tools } : {}) });
}

/**
 * Chat segments with loss on assistant turns from `firstTrained` on: each turn's content as the template writes it
 * (tool calls included) and the end-of-turn marker that closes it — what transformers' return_assistant_tokens_mask
 * marks for a template whose `{% generation %}` block wraps content and end marker. Not trained: the header, what a
 * template inserts before the content (Qwen3's empty `<think>\n\n</think>\n\n` on the last turn), and the
 * whitespace after the marker (it lays out the next turn). A closing without a marker (the plain "### Role:"
 * template's blank line) is trained whole: it is the only stop that turn has. Templates where the content cannot be
 * located fall back to the turn's content.
 */
function chatSegments(messages: ChatMessage[], render: Render, firstTrained = 0): Segment[] {
  const full = render(messages, false);
  const segments: Segment[] = [];
  let cursor = 0;
  const stray = strayGenerationPrompt(messages, render);
  const push = (text: string, train: boolean) => {
    if (text) segments.push({ text, train });
  };
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const train = i >= firstTrained;
    const span = contentSpan(messages, i, render, full);
    const closing = span ? turnClosing(messages.slice(0, i + 1), render, stray) : undefined;
    if (span && closing !== undefined && span.start >= cursor && full.startsWith(closing, span.end)) {
      push(full.slice(cursor, span.start), false);
      push(full.slice(span.start, span.end + closing.length), train);
      cursor = span.end + closing.length;
      return;
    }
    const at = m.content === undefined ? -1 : full.indexOf(m.content, cursor);
    if (at < 0 || m.content === undefined) return;
    push(full.slice(cursor, at), false);
    push(m.content, train);
    cursor = at + m.content.length;
  });
  push(full.slice(cursor), false);
  return segments;
}

// Control characters no template trims (Python's str.strip and Jinja's trim keep them) and no text starts or ends with.
const PROBE = '\u0001\u0002probe\u0002\u0001';

/**
 * Where message i's content lands in `rendered` (= render(messages, false)): the part that changes when the content is
 * replaced by a probe. Content the template rewrites (trimmed, reasoning split off) is located as it is written.
 */
function contentSpan(messages: ChatMessage[], i: number, render: Render, rendered: string): { start: number; end: number } | undefined {
  let probed: string;
  try {
    probed = render(messages.map((m, j) => (j === i ? { ...m, content: PROBE } : m)), false);
  } catch {
    return undefined;
  }
  if (!probed.includes(PROBE)) return undefined;
  let start = 0;
  const most = Math.min(rendered.length, probed.length);
  while (start < most && rendered[start] === probed[start]) start++;
  let tail = 0;
  while (tail < most - start && rendered[rendered.length - 1 - tail] === probed[probed.length - 1 - tail]) tail++;
  return { start, end: rendered.length - tail };
}

/**
 * What closes the last turn of `upTo` after its content (tool calls and the end-of-turn marker), without the
 * whitespace after the marker; all of it when it has no marker. Undefined when it cannot be located.
 */
function turnClosing(upTo: ChatMessage[], render: Render, stray: string): string | undefined {
  const text = render(upTo, false);
  const span = contentSpan(upTo, upTo.length - 1, render, text);
  if (!span) return undefined;
  let after = text.slice(span.end);
  if (stray && after.endsWith(stray) && after.length > stray.length) after = after.slice(0, after.length - stray.length);
  const marked = after.trimEnd();
  return marked.length > 0 ? marked : after;
}

/**
 * Some templates (Llama 3 Instruct's original one) open an assistant turn after every rendering, whatever
 * add_generation_prompt says. That opened turn is not the answer: it is what render([], true) writes, and it is
 * cut from the trained text. Empty for templates that honour add_generation_prompt.
 */
function strayGenerationPrompt(messages: ChatMessage[], render: Render): string {
  const k = messages.findIndex((m) => m.role === 'assistant');
  if (k <= 0) return '';
  const history = messages.slice(0, k);
  try {
    return render(history, false) === render(history, true) ? render([], true) : '';
  } catch {
    return '';
  }
}

const asPromptTurns = (p: Turns): ChatMessage[] => (typeof p === 'string' ? [{ role: 'user', content: p }] : p);
const asAnswerTurns = (c: Turns): ChatMessage[] => (typeof c === 'string' ? [{ role: 'assistant', content: c }] : c);

/**
 * Prompt + completion (TRL's completion-only loss): standard text is concatenated as it is; when either side is a
 * message list both go through the chat template and only the completion's assistant turns are trained.
 */
export function promptCompletionSegments(prompt: Turns, completion: Turns, template: ChatTemplateLike | undefined, tools?: Record<string, unknown>[]): RenderedText {
  if (typeof prompt === 'string' && typeof completion === 'string') {
    return { segments: [{ text: prompt, train: false }, { text: completion, train: true }].filter((s) => s.text), eos: 'train' };
  }
  const p = asPromptTurns(prompt);
  const c = asAnswerTurns(completion);
  return { segments: chatSegments([...p, ...c], renderer(template, tools), p.length), eos: chatEos(template, c) };
}

function chatEos(template: ChatTemplateLike | undefined, messages: ChatMessage[]): RenderedText['eos'] {
  if (template) return 'none';
  return messages[messages.length - 1]?.role === 'assistant' ? 'train' : 'context';
}

/** Turns an SFT (or KTO) record into text segments with train flags. */
export function recordSegments(record: Exclude<DatasetRecord, DpoRecord>, template: ChatTemplateLike | undefined): RenderedText {
  if (record.kind === 'kto') return promptCompletionSegments(record.prompt, record.completion, template, record.tools);
  switch (record.format) {
    case 'messages':
      return { segments: chatSegments(record.messages, renderer(template, record.tools)), eos: chatEos(template, record.messages) };
    case 'text':
      return { segments: [{ text: record.text, train: true }], eos: 'train' };
    case 'alpaca': {
      if (template) return promptCompletionSegments([{ role: 'user', content: record.prompt }], record.completion, template);
      const t = record.input ? ALPACA_PLAIN_TEMPLATE.withInput : ALPACA_PLAIN_TEMPLATE.withoutInput;
      const prompt = t.replace('{instruction}', record.instruction).replace('{input}', record.input);
      return { segments: [{ text: prompt, train: false }, { text: record.completion, train: true }], eos: 'train' };
    }
    case 'prompt_completion':
      return promptCompletionSegments(record.prompt, record.completion, template, record.tools);
  }
}

/** A preference pair as two prompt + completion renderings sharing the prompt (TRL's DPO tokenisation). */
export function preferenceSegments(record: DpoRecord, template: ChatTemplateLike | undefined): { chosen: RenderedText; rejected: RenderedText } {
  // TRL's DPOTrainer appends EOS to every response, conversational or not, and its response is everything the
  // template writes after the prompt: the layout (whitespace) after the last end-of-turn marker is trained too.
  const side = (answer: Turns): RenderedText => ({ segments: trainTail(promptCompletionSegments(record.prompt, answer, template, record.tools).segments), eos: 'train' });
  return { chosen: side(record.chosen), rejected: side(record.rejected) };
}

function trainTail(segments: Segment[]): Segment[] {
  const n = segments.length;
  if (n < 2 || segments[n - 1].train || !segments[n - 2].train || segments[n - 1].text.trim() !== '') return segments;
  return [...segments.slice(0, n - 1), { text: segments[n - 1].text, train: true }];
}

/** Every rendering of a record the trainer feeds: one for SFT/KTO, chosen and rejected for DPO. */
export function recordRenderings(record: DatasetRecord, template: ChatTemplateLike | undefined): { name: string; text: RenderedText }[] {
  if (record.kind !== 'dpo') return [{ name: 'text', text: recordSegments(record, template) }];
  const { chosen, rejected } = preferenceSegments(record, template);
  return [
    { name: 'chosen', text: chosen },
    { name: 'rejected', text: rejected },
  ];
}

/**
 * What a model is asked when evaluated or sampled on a record: the text before its last trained segment (for a
 * chat, the history up to the last assistant turn plus the generation prompt). Undefined for plain text and for
 * chats without an assistant turn.
 */
export function generationPrompt(record: DatasetRecord, template: ChatTemplateLike | undefined): string | undefined {
  let r: Exclude<DatasetRecord, DpoRecord> | undefined;
  if (record.kind === 'dpo') r = { kind: 'sft', format: 'prompt_completion', prompt: record.prompt, completion: record.chosen, ...(record.tools ? { tools: record.tools } : {}) };
  else if (record.kind === 'sft' && record.format === 'messages') {
    const k = record.messages.map((m) => m.role).lastIndexOf('assistant');
    if (k < 0) return undefined;
    r = { ...record, messages: record.messages.slice(0, k + 1) };
  } else r = record;
  if (r.kind === 'sft' && r.format === 'text') return undefined;
  const { segments } = recordSegments(r, template);
  let last = -1;
  segments.forEach((s, i) => {
    if (s.train) last = i;
  });
  if (last < 0) return undefined;
  return segments.slice(0, last).map((s) => s.text).join('');
}

/**
 * A record's prompt as turns, for sampling candidates: the prompt side of prompt/completion and preference
 * records, a chat's turns before its last assistant reply, an instruction (+ input) as the user turn (rendered
 * with the chat template as training renders it), or a plain text to continue.
 */
export function recordPrompt(record: DatasetRecord): Turns | undefined {
  if (record.kind !== 'sft') return record.prompt;
  switch (record.format) {
    case 'messages': {
      const k = record.messages.map((m) => m.role).lastIndexOf('assistant');
      const turns = k < 0 ? record.messages : record.messages.slice(0, k);
      return turns.length > 0 ? turns : undefined;
    }
    case 'alpaca':
      return [{ role: 'user', content: record.prompt }];
    case 'text':
      return record.text;
    case 'prompt_completion':
      return record.prompt;
  }
}
