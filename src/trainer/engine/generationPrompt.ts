import type { ChatMessage, LoadedModel } from './types';
import { tokensFor } from './scoring';

/**
 * Token ids of a generation prompt — one implementation for `clinical-ft generate [--chat]` and the child
 * process's generate request. Chat messages go through the model's chat template with the generation prompt
 * (the assistant turn opened), tokenised as SFT/DPO training tokenises a chat prompt: no post-processor, BOS
 * prepended unless the template wrote it. Without messages, or when the model has no chat template, `text` is
 * tokenised with the tokenizer's post-processor, as `score --text` does.
 */
export function generationPromptIds(m: LoadedModel, input: { text: string; messages?: ChatMessage[] }): { ids: number[]; chat: boolean } {
  if (!input.messages || input.messages.length === 0 || !m.chatTemplate) return { ids: tokensFor(m, { text: input.text }), chat: false };
  const rendered = m.chatTemplate.render(input.messages, { addGenerationPrompt: true });
  const ids = m.tokenizer.encode(rendered, { addSpecialTokens: false });
  const bos = m.tokenizer.bosId;
  return { ids: tokensFor(m, { ids: bos !== undefined && ids[0] !== bos ? [bos, ...ids] : ids }), chat: true };
}
