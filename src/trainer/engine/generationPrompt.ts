import type { ChatMessage, LoadedModel } from './types';
import { tokensFor } from './scoring';

/**
 * Token ids of a generation prompt — one implementation for `clinical-ft generate [--chat]` and the child
 * process's generate request. Chat messages go through the model's chat template with the generation prompt
 * (the assistant turn opened), tokenised as SFT/DPO training tokenises a chat prompt: no post-processor, BOS
 * prepended unless the template wrote it. Without messages, or when the model has no chat template, `text` is
 * tokenised with the tokenizer's post-processor, as `score --text` does.
 */
/**
 * Ids of a prompt already rendered to text (chat template, Alpaca, or an SFT record's prompt segments), as training
 * tokenises it: no post-processor, BOS prepended unless the text began with it.
 */
export function renderedPromptIds(tokenizer: LoadedModel['tokenizer'], text: string): number[] {
  const ids = tokenizer.encode(text, { addSpecialTokens: false });
  const bos = tokenizer.bosId;
  return bos !== undefined && ids[0] !== bos ? [bos, ...ids] : ids;
}

export function generationPromptIds(m: LoadedModel, input: { text: string; messages?: ChatMessage[] }): { ids: number[]; chat: boolean } {
  if (!input.messages || input.messages.length === 0 || !m.chatTemplate) return { ids: tokensFor(m, { text: input.text }), chat: false };
  const rendered = m.chatTemplate.render(input.messages, { addGenerationPrompt: true });
  return { ids: tokensFor(m, { ids: renderedPromptIds(m.tokenizer, rendered) }), chat: true };
}
