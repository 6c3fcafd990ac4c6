import { Template } from '@huggingface/jinja';
import type { ChatMessage, ChatTemplate } from './types';
import { specialTokenText } from './tokenizer';

/** The chat_template of tokenizer_config.json, rendered as transformers' apply_chat_template does. */
export function loadChatTemplate(tokConfig: Record<string, unknown>, file: string): ChatTemplate | undefined {
  let source = tokConfig.chat_template;
  // Some checkpoints ship several named templates; the "default" one is what transformers uses.
  if (Array.isArray(source)) {
    const named = source.find((t) => t && typeof t === 'object' && (t as { name?: unknown }).name === 'default') as { template?: unknown } | undefined;
    source = named?.template;
  }
  if (typeof source !== 'string' || source.length === 0) return undefined;
  let template: Template;
  try {
    template = new Template(source);
  } catch (e) {
    throw new Error(`${file}: key "chat_template" does not parse (${e instanceof Error ? e.message : String(e)})`);
  }
  const specials: Record<string, string> = {};
  for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
    const text = specialTokenText(tokConfig[key]);
    if (text !== undefined) specials[key] = text;
  }
  return {
    render(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean; tools?: Record<string, unknown>[] }): string {
      try {
        // transformers passes `tools` only when given: templates test `tools is defined`/`tools is not none`.
        return template.render({
          ...specials,
          messages,
          ...(opts?.tools ? { tools: opts.tools } : {}),
          add_generation_prompt: opts?.addGenerationPrompt ?? false,
        });
      } catch (e) {
        throw new Error(`${file}: chat_template failed (${e instanceof Error ? e.message : String(e)})`);
      }
    },
  };
}
