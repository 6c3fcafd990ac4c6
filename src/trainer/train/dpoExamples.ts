import type { ChatTemplateLike, TokenizerLike } from './lm';
import type { MessageList, TokenizedExample } from './sftExamples';

export type DpoRecord = { prompt?: string | MessageList; chosen: string | MessageList; rejected: string | MessageList };

/** A preference pair as two sequences sharing the prompt; loss masks mark the response tokens. */
export interface DpoExample {
  chosen: TokenizedExample;
  rejected: TokenizedExample;
  truncated: boolean;
}

function commonPrefixLength<T>(a: T[], b: T[], same: (x: T, y: T) => boolean): number {
  let k = 0;
  while (k < a.length && k < b.length && same(a[k], b[k])) k++;
  return k;
}

function withBos(ids: number[], tok: TokenizerLike): number[] {
  return tok.bosId !== undefined && ids[0] !== tok.bosId ? [tok.bosId, ...ids] : ids;
}

/** Prompt ids plus the two response id lists (each ending in EOS), before truncation. */
function promptAndResponses(record: DpoRecord, tok: TokenizerLike, template: ChatTemplateLike | undefined): { prompt: number[]; chosen: number[]; rejected: number[] } {
  const enc = (t: string) => tok.encode(t, { addSpecialTokens: false });
  const eos = (ids: number[]) => (ids[ids.length - 1] === tok.eosId ? ids : [...ids, tok.eosId]);
  const { chosen, rejected } = record;
  if (Array.isArray(chosen) && Array.isArray(rejected)) {
    // Conversational: an implicit prompt is the shared leading turns (TRL's extract_prompt).
    let promptMsgs: MessageList;
    let c = chosen;
    let r = rejected;
    if (record.prompt === undefined) {
      const k = commonPrefixLength(chosen, rejected, (x, y) => x.role === y.role && x.content === y.content);
      promptMsgs = chosen.slice(0, Math.min(k, chosen.length - 1, rejected.length - 1));
      c = chosen.slice(promptMsgs.length);
      r = rejected.slice(promptMsgs.length);
    } else {
      promptMsgs = Array.isArray(record.prompt) ? record.prompt : [{ role: 'user', content: record.prompt }];
    }
    const render = (m: MessageList, gen: boolean) =>
      template ? template.render(m, { addGenerationPrompt: gen }) : m.map((x) => `### ${x.role}:\n${x.content}\n\n`).join('') + (gen ? '### assistant:\n' : '');
    const promptText = render(promptMsgs, true);
    const response = (resp: MessageList) => {
      const full = render([...promptMsgs, ...resp], false);
      return full.startsWith(promptText) ? full.slice(promptText.length) : resp.map((x) => x.content).join('\n');
    };
    return { prompt: withBos(enc(promptText), tok), chosen: eos(enc(response(c))), rejected: eos(enc(response(r))) };
  }
  const asText = (x: string | MessageList) => (Array.isArray(x) ? x.map((m) => m.content).join('\n') : x);
  if (record.prompt === undefined) {
    const fc = eos(withBos(enc(asText(chosen)), tok));
    const fr = eos(withBos(enc(asText(rejected)), tok));
    const k = Math.min(commonPrefixLength(fc, fr, (x, y) => x === y), fc.length - 1, fr.length - 1);
    return { prompt: fc.slice(0, k), chosen: fc.slice(k), rejected: fr.slice(k) };
  }
  const promptText = Array.isArray(record.prompt) && template ? template.render(record.prompt, { addGenerationPrompt: true }) : asText(record.prompt);
  return { prompt: withBos(enc(promptText), tok), chosen: eos(enc(asText(chosen))), rejected: eos(enc(asText(rejected))) };
}

/**
 * Over-long pairs keep the end of the prompt (the part nearest the answer) and the start of each
 * response, the prompt giving way first down to half of maxLength.
 */
export function tokenizeDpo(record: DpoRecord, tok: TokenizerLike, template: ChatTemplateLike | undefined, maxLength: number): DpoExample {
  let { prompt, chosen, rejected } = promptAndResponses(record, tok, template);
  const longest = Math.max(chosen.length, rejected.length);
  const truncated = prompt.length + longest > maxLength;
  if (truncated) {
    const keepPrompt = Math.max(1, Math.min(prompt.length, maxLength - Math.min(longest, Math.floor(maxLength / 2))));
    prompt = prompt.slice(prompt.length - keepPrompt);
    chosen = chosen.slice(0, maxLength - prompt.length);
    rejected = rejected.slice(0, maxLength - prompt.length);
  }
  const seq = (resp: number[]): TokenizedExample => ({
    ids: [...prompt, ...resp],
    lossMask: [...prompt.map(() => 0), ...resp.map(() => 1)],
    truncated,
  });
  return { chosen: seq(chosen), rejected: seq(rejected), truncated };
}
