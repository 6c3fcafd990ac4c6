// Turn order of chat messages: what a chat template and assistant-only loss can train on.
import type { ChatMessage } from './records';

/**
 * conversation: [system] user, assistant, user, assistant … with at least one assistant turn (SFT, implicit DPO);
 *   an assistant turn with tool_calls may be followed by tool turns, then the assistant again.
 * prompt: [system] user, assistant, … ending with a user turn (explicit DPO prompt).
 * answer: assistant first, alternating (explicit DPO chosen/rejected).
 */
export type RoleOrderMode = 'conversation' | 'prompt' | 'answer';

export interface RoleOrderViolation {
  index: number;
  message: string;
}

export function checkRoleOrder(messages: readonly ChatMessage[], mode: RoleOrderMode): RoleOrderViolation[] {
  let i = 0;
  if (mode !== 'answer' && messages[0]?.role === 'system') i = 1;
  for (let j = i; j < messages.length; j++) {
    if (messages[j].role === 'system') return [{ index: j, message: `a system message is only allowed as the first message (found at position ${j})` }];
  }
  const first = mode === 'answer' ? 'assistant' : 'user';
  if (i < messages.length && messages[i].role !== first) {
    return [
      {
        index: i,
        message:
          mode === 'answer'
            ? 'the answer must start with an assistant message'
            : `the conversation must start with a user message${i ? ' after the system message' : ''}, not an ${messages[i].role} message`,
      },
    ];
  }
  for (let j = i + 1; j < messages.length; j++) {
    const prev = messages[j - 1];
    const cur = messages[j];
    // Tool calling (TRL): an assistant turn with tool_calls, the tools' answers, then the assistant again.
    if (cur.role === 'tool') {
      if (prev.role === 'tool' || (prev.role === 'assistant' && prev.tool_calls)) continue;
      return [{ index: j, message: `a tool message must follow an assistant message with "tool_calls" (message ${j - 1} is ${prev.role === 'assistant' ? 'an assistant message without tool_calls' : `a ${prev.role} message`})` }];
    }
    if (prev.role === 'tool') {
      if (cur.role === 'assistant') continue;
      return [{ index: j, message: `after tool results the assistant answers: message ${j} is a ${cur.role} message` }];
    }
    if (cur.role === prev.role) {
      return [{ index: j, message: `roles must alternate between user and assistant: messages ${j - 1} and ${j} are both ${cur.role}` }];
    }
  }
  if (i >= messages.length) return [{ index: Math.max(0, messages.length - 1), message: 'no user or assistant message after the system message' }];
  if (mode === 'conversation' && !messages.some((m) => m.role === 'assistant')) {
    return [{ index: messages.length - 1, message: 'no assistant message: there is nothing to train on' }];
  }
  if (mode === 'prompt' && messages[messages.length - 1].role !== 'user') {
    return [{ index: messages.length - 1, message: 'the prompt must end with a user message' }];
  }
  return [];
}
