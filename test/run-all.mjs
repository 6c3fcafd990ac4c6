// `npm test`: unit tests, webview tests, the integration suite in a real VS Code, and the harness self-check.
// Streams every stage's output, then prints one closing line "N passed, N failed, N skipped" over all stages.
// A skipped test not declared in test/expected-skips.json (stage, test name, reason) fails the run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { counts, undeclaredSkips } from './stageCounts.mjs';
import { ensureNativeAddon } from '../scripts/nativeAddon.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stages = [
  { name: 'unit', args: ['test/run-unit.mjs'] },
  ...(fs.existsSync(path.join(root, 'test/webview/run.mjs')) ? [{ name: 'webview', args: ['test/webview/run.mjs'] }] : []),
  { name: 'integration', args: ['test/integration/run.mjs'] },
  // The TRL engine on the pinned Python stack (scripts/python-env.sh, provisioned above).
  { name: 'python', args: ['test/python/run.mjs'] },
  { name: 'selfcheck', args: ['test/integration/selfcheck.mjs'] },
];

function run(stage) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, stage.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ ...stage, code, out, seconds: (Date.now() - t0) / 1000 }));
  });
}

// The real-VS-Code stage needs chromium, Node 24 and code-server; install them once if they are missing.
const declared = JSON.parse(fs.readFileSync(path.join(root, 'test/expected-skips.json'), 'utf8')).skips;
const install = spawnSync('bash', [path.join(root, '.ci/install-vscode.sh')], { stdio: 'inherit' });
if (install.status !== 0) {
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

// The native OpenBLAS kernels, built here on a fresh clone as `npm run demo` does; where they cannot be built the
// tests that need them skip, each named in test/expected-skips.json.
ensureNativeAddon('test');

// The Python reference stack (transformers, PEFT, TRL, tokenizers) for the parity tests and the TRL stage:
// a pinned venv in a cache folder, created on first use (~11 min cold, seconds when cached).
if (!process.env.CLINICAL_FT_PYTHON) {
  const py = spawnSync('bash', [path.join(root, 'scripts/python-env.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (py.status !== 0) {
    console.log('0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
  process.env.CLINICAL_FT_PYTHON = py.stdout.trim().split('\n').pop();
}

const results = [];
for (const stage of stages) results.push(await run(stage));
let passed = 0;
let failed = 0;
let skipped = 0;
const undeclared = [];
console.log('\nSummary');
for (const r of results) {
  const c = counts(r.out);
  if (r.code !== 0 && c.failed === 0) c.failed = 1; // a stage that crashed before counting
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped;
  undeclared.push(...undeclaredSkips(r.name, c, declared).map((t) => `${r.name}: ${t}`));
  console.log(`  ${r.name.padEnd(12)} ${String(c.passed).padStart(4)} passed ${String(c.failed).padStart(3)} failed ${String(c.skipped).padStart(3)} skipped  exit ${r.code}  ${r.seconds.toFixed(0)} s`);
  for (const n of c.names) console.log(`    skipped: ${n}${declared.some((d) => d.stage === r.name && d.test === n) ? ' (declared in test/expected-skips.json)' : ''}`);
}
if (undeclared.length) console.log(`Skipped but not declared in test/expected-skips.json (this fails the run):\n  ${undeclared.join('\n  ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && undeclared.length === 0 && results.every((r) => r.code === 0) ? 0 : 1);
