// `npm test`: unit tests, webview tests, the integration suite in a real VS Code, and the harness self-check.
// Streams every stage's output, then prints one closing line "N passed, N failed" over all stages.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stages = [
  { name: 'unit', args: ['test/run-unit.mjs'] },
  ...(fs.existsSync(path.join(root, 'test/webview/run.mjs')) ? [{ name: 'webview', args: ['test/webview/run.mjs'] }] : []),
  { name: 'integration', args: ['test/integration/run.mjs'] },
  // The TRL engine on the pinned Python stack (scripts/python-env.sh); skipped without it unless CI=true.
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

/** Counts from node:test's summary ("ℹ pass N", "ℹ fail N") or our own "N passed, N failed" lines. */
function counts(out) {
  const node = [...out.matchAll(/^ℹ (pass|fail) (\d+)$/gm)];
  if (node.length) return node.reduce((c, [, k, n]) => ({ ...c, [k === 'pass' ? 'passed' : 'failed']: c[k === 'pass' ? 'passed' : 'failed'] + +n }), { passed: 0, failed: 0 });
  const plain = [...out.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
  return plain ? { passed: +plain[1], failed: +plain[2] } : { passed: 0, failed: 0 };
}

// The real-VS-Code stage needs chromium, Node 24 and code-server; install them once if they are missing.
const install = spawnSync('bash', [path.join(root, '.ci/install-vscode.sh')], { stdio: 'inherit' });
if (install.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const results = [];
for (const stage of stages) results.push(await run(stage));
let passed = 0;
let failed = 0;
console.log('\nSummary');
for (const r of results) {
  const c = counts(r.out);
  if (r.code !== 0 && c.failed === 0) c.failed = 1; // a stage that crashed before counting
  passed += c.passed;
  failed += c.failed;
  console.log(`  ${r.name.padEnd(12)} ${String(c.passed).padStart(4)} passed ${String(c.failed).padStart(3)} failed  exit ${r.code}  ${r.seconds.toFixed(0)} s`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.every((r) => r.code === 0) ? 0 : 1);
