// Webview component tests: each panel's built bundle in headless chromium (test/webview/panelPage.ts), fed
// the host's messages and checked for what it shows and what it posts back. Builds dist/ first so the
// bundles under test match the sources. Pass file-name substrings to run a subset: node test/webview/run.mjs labeler
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const build = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const dir = path.join(root, 'test/webview');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts') && (filters.length === 0 || filters.some((x) => f.includes(x)))).map((f) => path.join(dir, f));
const outdir = path.join(root, 'out', `webview-${process.pid}`);
// webviewHtml imports `vscode` for its Uri type and joinPath: the stub stands in for it outside VS Code.
const vscodeStub = { name: 'vscode-stub', setup: (b) => b.onResolve({ filter: /^vscode$/ }, () => ({ path: path.join(dir, 'vscodeStub.ts') })) };
await esbuild.build({
  entryPoints: files, outdir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
  packages: 'external', plugins: [vscodeStub], logLevel: 'warning',
});
const outs = files.map((f) => path.join(outdir, path.basename(f).replace(/\.ts$/, '.js')));
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...outs], {
  stdio: 'inherit', cwd: root, env: { ...process.env, CLINICAL_FT_ROOT: root },
});
fs.rmSync(outdir, { recursive: true, force: true });
process.exit(r.status ?? 1);
