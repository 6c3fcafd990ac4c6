import { z } from 'zod';

/**
 * `clinical-ft token-lengths --json`: the dataset preview's token counts, computed in a child process because a
 * workspace's tokenizer.json is untrusted input (a backtracking Split regex can take seconds and gigabytes on
 * one long record). The host parses the output with this schema, the trainer writes it with it.
 */
export const TokenLengthsReport = z.strictObject({
  /** The tokenizer's model folder name. */
  tokenizer: z.string(),
  /** Records longer than this many characters are counted on their first `maxChars` characters. */
  maxChars: z.number().int().positive(),
  /** [line, tokens] for every valid record. */
  lengths: z.array(z.tuple([z.number().int().positive(), z.number().int().nonnegative()])),
  /** How many records were longer than maxChars (their counts are lower bounds). */
  capped: z.number().int().nonnegative(),
});
export type TokenLengthsReport = z.infer<typeof TokenLengthsReport>;

/** Characters of a record that are tokenized for its length (what the preview says in its stats). */
export const TOKEN_COUNT_MAX_CHARS = 20_000;
