export type TokenizerFamily = 'llama3' | 'qwen3' | 'gemma3';
export const TOKENIZER_FIXTURES_VERSION: string;
export const TOKENIZER_FAMILIES: readonly TokenizerFamily[];
export function fixturesCacheRoot(): string;
export function tokenizerFixtureFolder(family: TokenizerFamily): string;
export function tokenizerFixturesInstalled(): boolean;
export function installTokenizerFixtures(options?: { log?: (message: string) => void }): { installed: boolean };
