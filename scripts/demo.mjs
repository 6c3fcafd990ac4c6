// `npm run demo`: builds the extension's trainer (dist/trainer.js, the CLI the demo trains with), bundles
// src/trainer/demo/main.ts and runs it. Options pass through: npm run demo -- --seeds 1 --limit 20
import * as esbuild from 'esbuild';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const build = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
const outfile = path.join(root, 'out', 'demo', 'demo.js');
await esbuild.build({
  entryPoints: [path.join(root, 'src/trainer/demo/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, CLINICAL_FT_ROOT: root },
});
process.exit(r.status ?? 1);
