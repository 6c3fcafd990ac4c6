import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ModelConfig, TextTokenizer } from './types';
import { readJsonObject } from './jsonFile';

/** tokenizer_config.json stores special tokens either as strings or as {content: "..."} objects. */
export function specialTokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export function readTokenizerConfig(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'tokenizer_config.json');
  return fs.existsSync(file) ? readJsonObject(file) : {};
}

/** The model folder's tokenizer.json (with its post-processor, e.g. BOS) behind a small interface. */
export function loadTokenizer(dir: string, config: ModelConfig, tokConfig: Record<string, unknown>): TextTokenizer {
  const file = path.join(dir, 'tokenizer.json');
  const json = readJsonObject(file);
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, tokConfig);
  } catch (e) {
    throw new Error(`${file}: cannot build the tokenizer (${e instanceof Error ? e.message : String(e)})`);
  }
  const idOf = (key: string): number | undefined => {
    const text = specialTokenText(tokConfig[key]);
    return text === undefined ? undefined : tok.token_to_id(text);
  };
  const eosId = idOf('eos_token') ?? config.eosTokenIds[0];
  if (eosId === undefined) throw new Error(`${file}: no end-of-sequence token (set "eos_token" in tokenizer_config.json or "eos_token_id" in config.json)`);
  const bosId = idOf('bos_token') ?? config.bosTokenId;
  const padId = idOf('pad_token') ?? eosId;
  const vocabSize = tok.get_vocab(true).size;
  return {
    encode: (text, opts) => tok.encode(text, { add_special_tokens: opts?.addSpecialTokens ?? true }).ids,
    // @huggingface/tokenizers throws on an empty id list; nothing decodes to nothing (e.g. EOS sampled first).
    decode: (ids, opts) => (ids.length === 0 ? '' : tok.decode(ids, { skip_special_tokens: opts?.skipSpecialTokens ?? false })),
    ...(bosId !== undefined ? { bosId } : {}),
    eosId,
    padId,
    vocabSize,
  };
}
