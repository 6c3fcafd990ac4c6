// The tokenizer metadata llama.cpp reads (tokenizer.ggml.*), from tokenizer.json and tokenizer_config.json,
// for byte-level BPE tokenizers (tokenizer.ggml.model "gpt2": Llama 3, Qwen 2/3, SmolLM, GPT-2 style). The
// pre-tokenizer is named by the regex tokenizer.json declares, for the split rules llama.cpp implements.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { readJsonObject } from '../engine/jsonFile';
import { specialTokenText } from '../engine/tokenizer';
import { bool, str, u32, type GgufValue } from './ggufFormat';
import { ExportError } from './mergedWeights';

/** llama_token_type values. */
const TOKEN_TYPE = { NORMAL: 1, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5 } as const;

const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

type Json = Record<string, unknown>;

const isByteLevel = (p: unknown): boolean => typeof p === 'object' && p !== null && (p as Json).type === 'ByteLevel';

/** tokenizer.ggml.pre: the llama.cpp name of tokenizer.json's pre-tokenizer, or an error naming what it is. */
export function bpePreTokenizer(pre: unknown, file: string): string {
  const p = (pre ?? {}) as Json;
  if (isByteLevel(p) && p.use_regex !== false) return 'gpt-2';
  if (p.type === 'Sequence' && Array.isArray(p.pretokenizers)) {
    const parts = p.pretokenizers as Json[];
    const split = parts.find((x) => x.type === 'Split');
    const regex = split && typeof split.pattern === 'object' && split.pattern !== null ? (split.pattern as Json).Regex : undefined;
    const byteLevel = parts.find(isByteLevel);
    if (regex === LLAMA3_SPLIT && byteLevel && byteLevel.use_regex === false) return 'llama-bpe';
    if (regex === QWEN2_SPLIT && byteLevel && byteLevel.use_regex === false) return 'qwen2';
    const digits = parts.find((x) => x.type === 'Digits');
    if (parts.length === 2 && digits?.individual_digits === true && byteLevel && byteLevel.use_regex !== false) return 'smollm';
  }
  throw new ExportError(`${file}: pre_tokenizer ${JSON.stringify(pre).slice(0, 200)} is not one llama.cpp implements under a name this exporter knows (GPT-2, Llama 3, Qwen 2, SmolLM byte-level BPE); export with --format hf and convert with llama.cpp's convert_hf_to_gguf.py`);
}

/** llama.cpp treats `<|…|>`-style added tokens as control tokens, as the converter marks them. */
function looksSpecial(t: string): boolean {
  return t === '<pad>' || (t.startsWith('<|') && t.endsWith('|>')) || (t.startsWith('<｜') && t.endsWith('｜>'));
}

export interface GgufTokenizer {
  metadata: [string, GgufValue][];
  /** Token text by id (for the Modelfile's stop tokens). */
  tokens: string[];
  bosToken?: string;
  eosToken?: string;
  addBos: boolean;
  chatTemplate?: string;
}

export function ggufTokenizer(modelDir: string, vocabSize: number, config: Json): GgufTokenizer {
  const file = path.join(modelDir, 'tokenizer.json');
  if (!fs.existsSync(file)) throw new ExportError(`${modelDir}: no tokenizer.json; GGUF export needs the fast tokenizer's tokenizer.json`);
  const tj = readJsonObject(file);
  const model = (tj.model ?? {}) as Json;
  if (model.type !== 'BPE' || !isByteLevel(tj.decoder)) {
    throw new ExportError(`${file}: a ${String(model.type)} tokenizer${isByteLevel(tj.decoder) ? '' : ' without a ByteLevel decoder (SentencePiece-style, e.g. Llama 2, Mistral, Gemma)'} cannot be exported to GGUF here (byte-level BPE only); export with --format hf and convert with llama.cpp's convert_hf_to_gguf.py`);
  }
  const pre = bpePreTokenizer(tj.pre_tokenizer, file);
  const vocab = (model.vocab ?? {}) as Record<string, number>;
  const byId = new Map<number, string>();
  for (const [t, id] of Object.entries(vocab)) byId.set(id, t);
  const added = new Map<number, { content: string; special: boolean }>();
  for (const a of (Array.isArray(tj.added_tokens) ? tj.added_tokens : []) as Json[]) {
    if (typeof a.id === 'number' && typeof a.content === 'string') {
      added.set(a.id, { content: a.content, special: a.special === true });
      byId.set(a.id, a.content);
    }
  }
  const maxId = Math.max(...byId.keys());
  if (maxId >= vocabSize) throw new ExportError(`${file}: token id ${maxId} is outside config.json's vocab_size ${vocabSize}`);
  const tokens: string[] = [];
  const types: number[] = [];
  for (let i = 0; i < vocabSize; i++) {
    const t = byId.get(i);
    const a = added.get(i);
    if (t === undefined) {
      tokens.push(`[PAD${i}]`);
      types.push(TOKEN_TYPE.UNUSED);
    } else {
      tokens.push(t);
      types.push(a ? (a.special || looksSpecial(t) ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED) : TOKEN_TYPE.NORMAL);
    }
  }
  const merges = (Array.isArray(model.merges) ? model.merges : []).map((m: unknown) => (Array.isArray(m) ? m.join(' ') : String(m)));

  const tcFile = path.join(modelDir, 'tokenizer_config.json');
  const tc = fs.existsSync(tcFile) ? readJsonObject(tcFile) : {};
  const idOf = (key: string, configKey: string): { id: number; text: string } | undefined => {
    const text = specialTokenText(tc[key]);
    const id = text !== undefined ? tokens.indexOf(text) : -1;
    if (text !== undefined && id >= 0) return { id, text };
    const fromConfig = Array.isArray(config[configKey]) ? (config[configKey] as unknown[])[0] : config[configKey];
    return typeof fromConfig === 'number' && fromConfig >= 0 && fromConfig < vocabSize ? { id: fromConfig, text: tokens[fromConfig] } : undefined;
  };
  const bos = idOf('bos_token', 'bos_token_id');
  const eos = idOf('eos_token', 'eos_token_id');
  const pad = idOf('pad_token', 'pad_token_id');
  // add_bos_token as tokenizer_config.json says; otherwise whether the post-processor prepends the BOS token.
  const addBos = typeof tc.add_bos_token === 'boolean' ? tc.add_bos_token : bos !== undefined && JSON.stringify(tj.post_processor ?? null).includes(JSON.stringify(bos.text));
  const chatTemplate = chatTemplateOf(modelDir, tc);

  const metadata: [string, GgufValue][] = [
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str(pre)],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: merges }],
  ];
  if (bos) metadata.push(['tokenizer.ggml.bos_token_id', u32(bos.id)]);
  if (eos) metadata.push(['tokenizer.ggml.eos_token_id', u32(eos.id)]);
  if (pad) metadata.push(['tokenizer.ggml.padding_token_id', u32(pad.id)]);
  metadata.push(['tokenizer.ggml.add_bos_token', bool(addBos)]);
  metadata.push(['tokenizer.ggml.add_eos_token', bool(tc.add_eos_token === true)]);
  if (chatTemplate !== undefined) metadata.push(['tokenizer.chat_template', str(chatTemplate)]);
  return { metadata, tokens, ...(bos ? { bosToken: bos.text } : {}), ...(eos ? { eosToken: eos.text } : {}), addBos, ...(chatTemplate !== undefined ? { chatTemplate } : {}) };
}

/** The chat template transformers uses: chat_template.jinja, else tokenizer_config.json's (the "default" one of a list). */
export function chatTemplateOf(modelDir: string, tc: Json): string | undefined {
  const jinja = path.join(modelDir, 'chat_template.jinja');
  if (fs.existsSync(jinja)) return fs.readFileSync(jinja, 'utf8');
  const t = tc.chat_template;
  if (typeof t === 'string' && t.length > 0) return t;
  if (Array.isArray(t)) {
    const d = t.find((x) => x && typeof x === 'object' && (x as Json).name === 'default') as Json | undefined;
    if (typeof d?.template === 'string') return d.template;
  }
  return undefined;
}
