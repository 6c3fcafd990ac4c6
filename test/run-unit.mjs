// Unit tests: every test/unit/**/*.test.ts is bundled by esbuild (packages external) into out/unit and run
// with node's built-in test runner. Pass file-name substrings to run a subset: npm run test:unit -- safetensors
import { bundleForNode, repoRoot as root } from '../scripts/bundleForNode.mjs';
import { installTokenizerFixtures } from '../scripts/tokenizerFixtures.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? find(p) : d.name.endsWith('.test.ts') ? [p] : [];
  });
}

// The real Llama 3 / Qwen3 / Gemma 3 tokenizers are fixtures in a cache, installed once (like code-server for
// the integration stage). Without the registry the tests that need them fail, naming the install command.
try {
  installTokenizerFixtures();
} catch (e) {
  console.error(`tokenizer fixtures not installed: ${e instanceof Error ? e.message : e}`);
}

const files = find(path.join(root, 'test/unit')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
// node --test with no files would look for tests everywhere below the root, benches included.
if (files.length === 0) {
  console.error(`no unit test file under test/unit matches ${filters.map((x) => JSON.stringify(x)).join(' or ')}`);
  process.exit(1);
}
// One output folder per invocation, so concurrent runs (several developers, watch + CI) never clobber each other.
const outdir = path.join(root, 'out', `unit-${process.pid}`);
await bundleForNode({ entryPoints: files, outdir, outbase: path.join(root, 'test/unit') });
const outs = files.map((f) => path.join(outdir, path.relative(path.join(root, 'test/unit'), f).replace(/\.ts$/, '.js')));
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...outs], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, CLINICAL_FT_ROOT: root },
});
fs.rmSync(outdir, { recursive: true, force: true });
process.exit(r.status ?? 1);
