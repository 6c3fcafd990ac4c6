// Field and role names that other tools use for ours. A record using one gets an error with a certain fix.
import type { RecordFormat } from './records';

/** [alias, canonical] per format, in preference order; applied only when the canonical field is absent. */
export const FIELD_ALIASES: Record<RecordFormat, readonly (readonly [string, string])[]> = {
  prompt_completion: [
    ['response', 'completion'],
    ['output', 'completion'],
    ['answer', 'completion'],
    ['target', 'completion'],
    ['question', 'prompt'],
    ['query', 'prompt'],
    ['input', 'prompt'],
  ],
  alpaca: [
    ['completion', 'output'],
    ['response', 'output'],
    ['answer', 'output'],
  ],
  messages: [],
  text: [],
  preference: [
    ['question', 'prompt'],
    ['query', 'prompt'],
  ],
  implicit_preference: [],
  unpaired_preference: [],
};

/** ShareGPT/OpenAI-style role names with one certain equivalent. */
export const ROLE_ALIASES: Record<string, string> = {
  human: 'user',
  User: 'user',
  USER: 'user',
  gpt: 'assistant',
  bot: 'assistant',
  model: 'assistant',
  Assistant: 'assistant',
  ASSISTANT: 'assistant',
  System: 'system',
  SYSTEM: 'system',
};
