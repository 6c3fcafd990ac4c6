import type { ChatMessage, LoadedModel } from './types';
import { tokensFor } from './scoring';
import { renderer } from '../../core/prompt/recordSegments';
import { renderedPromptIds } from '../prompt/renderRecord';

/**
 * Token ids of a generation prompt — one implementation for `clinical-ft generate [--chat]` and the child
 * process's generate request. Chat messages are rendered as training renders them (the model's chat template, or
 * the plain "### Role:" template when it has none) with the assistant turn opened, and tokenised as training
 * tokenises a prompt (src/trainer/prompt/renderRecord.ts). Without messages, `text` is tokenised with the
 * tokenizer's post-processor, as `score --text` does.
 */
export function generationPromptIds(m: LoadedModel, input: { text: string; messages?: ChatMessage[] }): { ids: number[]; chat: boolean } {
  if (!input.messages || input.messages.length === 0) return { ids: tokensFor(m, { text: input.text }), chat: false };
  const rendered = renderer(m.chatTemplate)(input.messages, true);
  return { ids: tokensFor(m, { ids: renderedPromptIds(m.tokenizer, rendered) }), chat: true };
}
