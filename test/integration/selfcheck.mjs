// Proves the integration suite can fail: the same suite against a copy of the extension whose activate()
// throws must exit non-zero. Prints one test-style line and exits 0 when the harness behaves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-broken-ext-'));
fs.copyFileSync(path.join(root, 'package.json'), path.join(broken, 'package.json'));
fs.cpSync(path.join(root, 'media'), path.join(broken, 'media'), { recursive: true });
fs.mkdirSync(path.join(broken, 'dist'));
fs.writeFileSync(path.join(broken, 'dist/extension.js'), "exports.activate = () => { throw new Error('deliberately broken activation'); };\n");
const r = spawnSync(process.execPath, [path.join(root, 'test/integration/run.mjs'), '--no-build', '--extension', broken, '--grep', 'foundation'], {
  cwd: root, encoding: 'utf8', timeout: 600_000,
});
fs.rmSync(broken, { recursive: true, force: true });
const failedAsExpected = r.status !== 0 && /deliberately broken activation|failed/.test(r.stdout + r.stderr);
console.log(`selfcheck: broken activation made the integration suite exit ${r.status} — ${failedAsExpected ? 'as it must' : 'BUT IT SHOULD HAVE FAILED'}`);
console.log(`selfcheck: ${failedAsExpected ? 1 : 0} passed, ${failedAsExpected ? 0 : 1} failed`);
process.exit(failedAsExpected ? 0 : 1);
