// tokenizer.json and tokenizer_config.json for the sample model, in the shape HF `tokenizers` writes for
// a byte-level BPE (as Llama 3 / Qwen2): ByteLevel pre-tokenizer and decoder, a TemplateProcessing
// post-processor that prepends <s>, and the chat template in tokenizer_config.json.
import type { BpeModel } from './byteLevelBpe';

export const BOS = '<s>';
export const EOS = '</s>';
export const PAD = '<pad>';
/** Role markers are single special tokens so a prompt's structure costs one token per turn. */
export const ROLE_TOKENS = ['<|system|>', '<|user|>', '<|assistant|>'];
export const SPECIAL_TOKENS = [BOS, EOS, PAD, ...ROLE_TOKENS];

/**
 * Each turn is the role marker, a newline, the content and </s>; the generation prompt is the assistant
 * marker and a newline, so generation stops at </s> (eos). BOS comes from the post-processor, not here.
 */
export const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '</s>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

export function tokenizerJson(model: BpeModel): Record<string, unknown> {
  const id = (t: string) => {
    const v = model.vocab.get(t);
    if (v === undefined) throw new Error(`special token ${t} missing from the vocabulary`);
    return v;
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: BOS, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: BOS, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: BOS, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [BOS]: { id: BOS, ids: [id(BOS)], tokens: [BOS] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(model.vocab),
      merges: model.merges,
    },
  };
}

export function tokenizerConfigJson(modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: BOS,
    eos_token: EOS,
    pad_token: PAD,
    unk_token: null,
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: modelMaxLength,
    additional_special_tokens: ROLE_TOKENS,
    chat_template: CHAT_TEMPLATE,
  };
}

/** The chat template above, in code: used to lay out chat documents of the corpus without a Jinja pass. */
export function renderChat(messages: { role: string; content: string }[], addGenerationPrompt = false): string {
  return messages.map((m) => `<|${m.role}|>\n${m.content}</s>\n`).join('') + (addGenerationPrompt ? '<|assistant|>\n' : '');
}
