// A record as the trainer feeds it: token ids with BOS/EOS and the loss mask. The one owner of "how a record
// becomes tokens" for SFT, DPO, evaluation, the demo, generation and the inspector (`clinical-ft inspect`); the
// text side (templates, train flags) is src/core/prompt/recordSegments.ts.
import type { DpoRecord, SftRecord, UnpairedRecord } from '../../core/datasets/records';
import { preferenceSegments, recordSegments, type ChatTemplateLike, type RenderedText } from '../../core/prompt/recordSegments';
import type { TokenizerLike } from '../train/lm';

/** One tokenised training sequence: loss is taken on token t where lossMask[t] = 1. */
export interface TokenizedExample {
  ids: number[];
  lossMask: number[];
  truncated: boolean;
  /** Trained tokens that truncation removed (0 when the whole answer survived). */
  droppedTrained?: number;
}

/** A preference pair as two sequences sharing the prompt; loss masks mark the response tokens. */
export interface DpoExample {
  chosen: TokenizedExample;
  rejected: TokenizedExample;
  truncated: boolean;
}

/**
 * One KTO example: the completion and whether it is desirable, plus its KL row — the same prompt with another
 * example's completion (TRL's mismatched pairs), whose log-ratio estimates KL(policy ‖ reference).
 */
export interface KtoExample {
  completion: TokenizedExample;
  kl: TokenizedExample;
  desirable: boolean;
  truncated: boolean;
}

type Tok = Pick<TokenizerLike, 'encode' | 'bosId' | 'eosId'>;

/** The one BOS rule: prepended when the tokenizer has one and the text did not already produce it. */
export function withBos(ids: number[], tok: Pick<TokenizerLike, 'bosId'>): number[] {
  return tok.bosId !== undefined && ids[0] !== tok.bosId ? [tok.bosId, ...ids] : ids;
}

/**
 * Ids of a prompt already rendered to text (chat template, Alpaca, or a record's prompt segments), as training
 * tokenises it: no post-processor, BOS prepended unless the text began with it.
 */
export function renderedPromptIds(tok: Tok, text: string): number[] {
  return withBos(tok.encode(text, { addSpecialTokens: false }), tok);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Tokenises segments one by one so the prompt/completion boundary is exact (TRL's completion-only loss), applies
 * the BOS rule, appends EOS as the rendering says (RenderedText.eos) and keeps the full sequence: `cut` truncates.
 */
function tokenizeRendered({ segments, eos }: RenderedText, tok: Tok): { ids: number[]; lossMask: number[] } {
  let ids: number[] = [];
  let lossMask: number[] = [];
  for (const s of segments) {
    for (const id of tok.encode(s.text, { addSpecialTokens: false })) {
      ids.push(id);
      lossMask.push(s.train ? 1 : 0);
    }
  }
  const bosAdded = withBos(ids, tok).length > ids.length;
  if (bosAdded) {
    ids = [tok.bosId!, ...ids];
    lossMask = [0, ...lossMask];
  }
  if (eos !== 'none' && ids[ids.length - 1] !== tok.eosId) {
    ids.push(tok.eosId);
    lossMask.push(eos === 'train' ? 1 : 0);
  }
  // Token 0 has no left context to be predicted from.
  lossMask[0] = 0;
  return { ids, lossMask };
}

/** Right truncation to maxLength, counting the trained tokens it removes. */
function cut(full: { ids: number[]; lossMask: number[] }, maxLength: number): TokenizedExample {
  const lossMask = full.lossMask.slice(0, maxLength);
  return { ids: full.ids.slice(0, maxLength), lossMask, truncated: full.ids.length > maxLength, droppedTrained: sum(full.lossMask) - sum(lossMask) };
}

export function tokenizeSft(record: SftRecord | UnpairedRecord, tok: Tok, template: ChatTemplateLike | undefined, maxLength: number): TokenizedExample {
  return cut(tokenizeRendered(recordSegments(record, template), tok), maxLength);
}

/**
 * Over-long pairs keep the end of the prompt (the part nearest the answer) and the start of each response, the
 * prompt giving way first down to half of maxLength.
 */
export function tokenizeDpo(record: DpoRecord, tok: Tok, template: ChatTemplateLike | undefined, maxLength: number): DpoExample {
  const sides = preferenceSegments(record, template);
  const c = tokenizeRendered(sides.chosen, tok);
  const r = tokenizeRendered(sides.rejected, tok);
  // Both sides render the same prompt: everything before the first trained token.
  const promptLength = Math.max(0, Math.min(c.lossMask.indexOf(1), r.lossMask.indexOf(1)));
  const longest = Math.max(c.ids.length, r.ids.length) - promptLength;
  const truncated = promptLength + longest > maxLength;
  const keepPrompt = truncated ? Math.max(1, Math.min(promptLength, maxLength - Math.min(longest, Math.floor(maxLength / 2)))) : promptLength;
  const side = (full: { ids: number[]; lossMask: number[] }): TokenizedExample => {
    const from = promptLength - keepPrompt;
    const kept = { ids: full.ids.slice(from), lossMask: full.lossMask.slice(from) };
    return { ...cut(kept, maxLength), truncated };
  };
  return { chosen: side(c), rejected: side(r), truncated };
}

/**
 * KTO examples with TRL's KL rows (_get_kl_dataset): within each chunk of `batchSize` examples in file order, example
 * i's KL row pairs its prompt with the completion of the example before it (the first takes the chunk's last).
 */
export function tokenizeKto(records: UnpairedRecord[], tok: Tok, template: ChatTemplateLike | undefined, maxLength: number, batchSize: number): KtoExample[] {
  return records.map((r, i) => {
    const chunkStart = i - (i % batchSize);
    const chunkEnd = Math.min(records.length, chunkStart + batchSize);
    const other = records[i === chunkStart ? chunkEnd - 1 : i - 1];
    const completion = tokenizeSft(r, tok, template, maxLength);
    const kl = tokenizeSft({ ...r, completion: other.completion }, tok, template, maxLength);
    return { completion, kl, desirable: r.label, truncated: completion.truncated };
  });
}
