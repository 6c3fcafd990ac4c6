// The optional native OpenBLAS kernels (native/): built on first use by the commands a fresh clone starts with
// (`npm run demo`, `npm test`), so the README's one command gets them where the toolchain is there. Without it the
// engine runs on pure wasm (about 3.5x slower) and the tests that need the addon skip, as test/expected-skips.json says.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot as root } from './bundleForNode.mjs';

export const addonPath = path.join(root, 'native', 'build', 'Release', 'clinical_ft_blas.node');

/** Builds the addon when it is missing (unless CLINICAL_FT_NATIVE_BLAS=0); says what happened, prefixed with `who`. Never throws. */
export function ensureNativeAddon(who) {
  if (fs.existsSync(addonPath) || process.env.CLINICAL_FT_NATIVE_BLAS === '0') return;
  process.stdout.write(`${who}: building the native OpenBLAS kernels (npm run build:native)… `);
  const native = spawnSync('npm', ['run', '--silent', 'build:native'], { cwd: root, encoding: 'utf8' });
  if (native.status === 0) {
    process.stdout.write('done\n');
    return;
  }
  const why = `${native.stderr ?? ''}${native.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  process.stdout.write(`not built (${why || native.error?.message || 'unknown error'})\n`);
  process.stdout.write(`${who}: continuing on pure wasm, about 3.5x slower; install libopenblas-dev, python3, make and g++, then npm run build:native\n`);
}
