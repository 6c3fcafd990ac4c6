// Benchmarks: every test/bench/*.bench.ts is bundled by esbuild (packages external) into out/bench and run in
// its own node process (so peak RSS is per benchmark), one after another. Pass file-name substrings to run a
// subset: npm run bench -- engine. Numbers are printed, never asserted.
import { bundleForNode, repoRoot as root } from '../../scripts/bundleForNode.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const dir = path.join(root, 'test/bench');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .map((f) => path.join(dir, f));
if (files.length === 0) {
  console.error('bench: no test/bench/*.bench.ts matched');
  process.exit(2);
}
// One folder per run: several people may benchmark at once, and must not delete each other's bundles.
const outdir = path.join(root, 'out/bench', `run-${process.pid}`);
fs.rmSync(outdir, { recursive: true, force: true });
await bundleForNode({ entryPoints: files, outdir });
let failed = 0;
for (const f of files) {
  const out = path.join(outdir, path.basename(f).replace(/\.ts$/, '.js'));
  console.log(`\n=== ${path.relative(root, f)} ===`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--enable-source-maps', '--expose-gc', out], { stdio: 'inherit', cwd: root, env: { ...process.env, CLINICAL_FT_ROOT: root } });
  console.log(`=== ${path.basename(f)}: exit ${r.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s ===`);
  if (r.status !== 0) failed++;
}
fs.rmSync(outdir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
