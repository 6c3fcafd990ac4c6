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
