// Installs the real Llama 3 / Qwen3 / Gemma 3 tokenizer fixtures into the cache (idempotent; see
// tokenizerFixtures.mjs). `node scripts/install-tokenizer-fixtures.mjs` prints each family's folder.
import { installTokenizerFixtures, tokenizerFixtureFolder, TOKENIZER_FAMILIES } from './tokenizerFixtures.mjs';

try {
  installTokenizerFixtures();
  for (const f of TOKENIZER_FAMILIES) console.log(`${f}\t${tokenizerFixtureFolder(f)}`);
} catch (e) {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(1);
}
