// `npm run pretrain-sample-model`: bundles src/trainer/pretrain/main.ts (packages external) and runs it.
// Options pass through, e.g. npm run pretrain-sample-model -- --steps 200 --out /tmp/model
import * as esbuild from 'esbuild';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const outfile = path.join(root, 'out', 'pretrain', 'pretrain.js');
await esbuild.build({
  entryPoints: [path.join(root, 'src/trainer/pretrain/main.ts')],
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
