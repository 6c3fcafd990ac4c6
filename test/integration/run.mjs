// Integration tests: the BUILT extension inside a real VS Code (code-server + chromium, see vscodeInBrowser.cjs),
// launched through @vscode/test-electron's runTests with vscodeExecutablePath pointing at that stand-in.
// Two windows: a trusted workspace for every suite, then a workspace NOT trusted (Workspace Trust enabled,
// Restricted Mode) for the *.untrusted.test.ts suites. --trust trusted|untrusted runs one of them.
// Usage: node test/integration/run.mjs [--grep PATTERN] [--trust trusted|untrusted] [--extension DIR] [--no-build]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const extensionDir = path.resolve(opt('extension') ?? root);

if (!argv.includes('--no-build')) {
  const b = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

// Each suite file becomes its own bundle so mocha can load them one by one; vscode and packages stay external.
const suiteDir = path.join(root, 'test/integration/suite');
const outDir = path.join(root, 'out/integration');
fs.rmSync(outDir, { recursive: true, force: true });
const entries = fs.readdirSync(suiteDir).filter((f) => f.endsWith('.ts')).map((f) => path.join(suiteDir, f));
await esbuild.build({
  entryPoints: entries, outdir: outDir, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: 'inline', packages: 'external', external: ['vscode'], logLevel: 'warning',
});

const artifacts = path.join(root, 'test-artifacts');
// The pinned Python stack (scripts/python-env.sh) for the TRL engine suite: the window under test has a HOME of its own.
const pinnedPython = process.env.CLINICAL_FT_PYTHON ?? path.join(process.env.CLINICAL_FT_PY_CACHE ?? path.join(os.homedir(), '.cache/clinical-ft-py'), 'venv/bin/python');
fs.mkdirSync(artifacts, { recursive: true });

/** One VS Code window on a fresh workspace (the fixture folder plus the bundled sample datasets and model). */
async function runWindow(trust) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-ws-'));
  fs.cpSync(path.join(root, 'test/integration/workspace'), workspace, { recursive: true });
  if (fs.existsSync(path.join(root, 'datasets-sample'))) {
    fs.cpSync(path.join(root, 'datasets-sample'), path.join(workspace, 'datasets-sample'), { recursive: true });
  }
  const resultFile = path.join(artifacts, `integration-result-${process.pid}-${trust}.json`);
  let code;
  try {
    code = await runTests({
      vscodeExecutablePath: path.join(root, 'test/integration/vscodeInBrowser.cjs'),
      extensionDevelopmentPath: extensionDir,
      extensionTestsPath: path.join(outDir, 'index.js'),
      launchArgs: [workspace],
      extensionTestsEnv: {
        MOCHA_GREP: opt('grep') ?? '',
        CLINICAL_FT_TEST_ARTIFACTS: artifacts,
        CLINICAL_FT_TEST_RESULT: resultFile,
        CLINICAL_FT_REPO: root,
        CLINICAL_FT_WORKSPACE_TRUST: trust,
        ...(fs.existsSync(pinnedPython) ? { CLINICAL_FT_PYTHON: pinnedPython } : {}),
      },
    });
  } catch (e) {
    code = typeof e?.code === 'number' ? e.code : 1;
  }
  let result = { passed: 0, failed: 0, skipped: [] };
  try { result = JSON.parse(fs.readFileSync(resultFile, 'utf8')); fs.rmSync(resultFile); } catch { /* the suite never finished */ }
  if (code !== 0 && result.failed === 0) result.failed = 1; // the host died or activation broke: count it
  // The per-window line names the window: the closing line below is the one npm test reads.
  console.log(`integration (${trust} workspace): ${result.passed} passed / ${result.failed} failed / ${(result.skipped ?? []).length} skipped`);
  return { passed: result.passed, failed: result.failed, skipped: result.skipped ?? [] };
}

const result = { passed: 0, failed: 0, skipped: [] };
for (const trust of ['trusted', 'untrusted'].filter((t) => !opt('trust') || opt('trust') === t)) {
  const r = await runWindow(trust);
  result.passed += r.passed;
  result.failed += r.failed;
  result.skipped.push(...r.skipped);
}
for (const t of result.skipped) console.log(`skipped: ${t}`);
console.log(`integration: ${result.passed} passed, ${result.failed} failed, ${result.skipped.length} skipped`);
process.exit(result.failed === 0 ? 0 : 1);
