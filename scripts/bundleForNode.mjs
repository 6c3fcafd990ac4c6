// One way to turn TypeScript entry points (tests, benchmarks, scripts) into runnable Node bundles:
// npm packages stay external (resolved from node_modules at run time), source maps inline.
import * as esbuild from 'esbuild';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Bundles `entryPoints` into `outdir` (or one `outfile`) as CommonJS for Node 20. */
export function bundleForNode({ entryPoints, outdir, outfile, outbase }) {
  return esbuild.build({
    entryPoints,
    ...(outfile ? { outfile } : { outdir, outbase }),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    packages: 'external',
    logLevel: 'warning',
    define: { 'process.env.CLINICAL_FT_ROOT': JSON.stringify(repoRoot) },
  });
}

/** Bundles one TypeScript entry to out/<name>.js and runs it with `args`; resolves to its exit code. */
export async function bundleAndRun(entry, name, args) {
  const { spawnSync } = await import('node:child_process');
  const outfile = path.join(repoRoot, 'out', name, `${name}.js`);
  await bundleForNode({ entryPoints: [path.join(repoRoot, entry)], outfile });
  const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], {
    stdio: 'inherit',
    cwd: repoRoot,
    env: { ...process.env, CLINICAL_FT_ROOT: repoRoot },
  });
  return r.status ?? 1;
}
