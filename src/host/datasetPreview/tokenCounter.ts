import { defaultModelFolder } from '../modelFolder';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TokenCounter {
  /** Model folder name shown in the stats. */
  name: string;
  count(text: string): number;
}

/** Loads the model's tokenizer with @huggingface/tokenizers; undefined when there is none (lengths in characters). */
export async function loadTokenCounter(extensionPath: string): Promise<TokenCounter | undefined> {
  const dir = defaultModelFolder(extensionPath);
  if (!dir || !fs.existsSync(path.join(dir, 'tokenizer.json'))) return undefined;
  try {
    const json = JSON.parse(await fs.promises.readFile(path.join(dir, 'tokenizer.json'), 'utf8')) as object;
    const cfgFile = path.join(dir, 'tokenizer_config.json');
    const config = fs.existsSync(cfgFile) ? (JSON.parse(await fs.promises.readFile(cfgFile, 'utf8')) as object) : {};
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const tok = new Tokenizer(json, config);
    return { name: path.basename(dir), count: (text) => tok.encode(text, { add_special_tokens: false }).ids.length };
  } catch (e) {
    console.warn(`[clinical-ft] cannot load the tokenizer of ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
