// Proves the integration suite can fail, and fails for the reason it is given: the foundation suite runs
// against a copy of the extension whose activate() throws, and must exit non-zero with that very error in
// its output and the foundation tests reported failing by name. Any other failure (no code-server, no
// chromium, a crashed harness) is not the provoked one, so the self-check fails then too.
// Prints one test-style line and exits 0 when the harness behaves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const ERROR = 'deliberately broken activation';
const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-broken-ext-'));
fs.copyFileSync(path.join(root, 'package.json'), path.join(broken, 'package.json'));
fs.cpSync(path.join(root, 'media'), path.join(broken, 'media'), { recursive: true });
fs.mkdirSync(path.join(broken, 'dist'));
fs.writeFileSync(path.join(broken, 'dist/extension.js'), `exports.activate = () => { throw new Error('${ERROR}'); };\n`);
const r = spawnSync(process.execPath, [path.join(root, 'test/integration/run.mjs'), '--no-build', '--extension', broken, '--grep', 'foundation', '--trust', 'trusted'], {
  cwd: root, encoding: 'utf8', timeout: 600_000,
});
fs.rmSync(broken, { recursive: true, force: true });
const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
const counted = /integration: (\d+) passed, (\d+) failed/.exec(out);
const checks = [
  ['the suite exited non-zero', r.status !== 0 && r.status !== null],
  ['the real VS Code came up', /vscode-in-browser: workbench up/.test(out)],
  [`the activation error "${ERROR}" reached the test output`, out.includes(ERROR)],
  ['a foundation test is reported failing by name', /^\s*\d+\) foundation\b/m.test(out)],
  ['the failures were counted', counted !== null && +counted[2] > 0],
];
const missed = checks.filter(([, ok]) => !ok).map(([what]) => what);
if (missed.length) {
  console.log(`selfcheck: the harness did not fail the way it was made to fail; missing: ${missed.join('; ')}`);
  console.log(`selfcheck: output of the provoked run (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${out.slice(-3000)}`);
} else {
  console.log(`selfcheck: broken activation made the integration suite exit ${r.status}, with the error and the failing tests named — as it must`);
}
console.log(`selfcheck: ${missed.length ? 0 : 1} passed, ${missed.length ? 1 : 0} failed`);
process.exit(missed.length ? 1 : 0);
