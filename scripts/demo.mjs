// `npm run demo`: builds the extension's trainer (dist/trainer.js, the CLI the demo trains with), bundles
// src/trainer/demo/cli.ts and runs it. Options pass through: npm run demo -- --seeds 1 --limit 20
// On a fresh clone it first tries to build the optional native OpenBLAS kernels: with them the demo takes about
// 10 minutes on 2 cores, without them (pure wasm) about 3.5 times as long.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bundleAndRun, repoRoot as root } from './bundleForNode.mjs';

const addon = path.join(root, 'native', 'build', 'Release', 'clinical_ft_blas.node');
if (!fs.existsSync(addon) && process.env.CLINICAL_FT_NATIVE_BLAS !== '0') {
  process.stdout.write('demo: building the native OpenBLAS kernels (npm run build:native)… ');
  const native = spawnSync('npm', ['run', '--silent', 'build:native'], { cwd: root, encoding: 'utf8' });
  if (native.status === 0) process.stdout.write('done\n');
  else {
    const why = `${native.stderr ?? ''}${native.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    process.stdout.write(`not built (${why || native.error?.message || 'unknown error'})\n`);
    process.stdout.write('demo: continuing on pure wasm, about 3.5x slower; install libopenblas-dev, python3, make and g++, then npm run build:native\n');
  }
}
const build = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
process.exit(await bundleAndRun('src/trainer/demo/cli.ts', 'demo', process.argv.slice(2)));
