// Bundles the three rooms: extension host (cjs, vscode external), trainer/CLI (node), one iife per webview panel.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');

/** Every folder under webview/ except shared/ with an index.ts is a panel. */
function webviewEntries() {
  const dir = path.join(root, 'webview');
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'shared' && fs.existsSync(path.join(dir, d.name, 'index.ts')))
    .map((d) => ({ in: path.join(dir, d.name, 'index.ts'), out: d.name }));
}

/** The wasm backend fetches its .wasm binaries from disk at run time; ship them beside trainer.js. */
function copyWasmBinaries() {
  const src = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  fs.mkdirSync(dist, { recursive: true });
  for (const f of fs.readdirSync(src).filter((f) => f.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(src, f), path.join(dist, f));
  }
}

/** The optional OpenBLAS addon (npm run build:native) ships beside trainer.js when it was built. */
function copyNativeAddon() {
  const addon = path.join(root, 'native/build/Release/clinical_ft_blas.node');
  if (fs.existsSync(addon)) fs.copyFileSync(addon, path.join(dist, 'clinical_ft_blas.node'));
}

const common = {
  bundle: true,
  minify: production,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

const configs = [
  {
    ...common,
    entryPoints: { extension: 'src/host/extension.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // Activation time counts module evaluation (first to last line of the bundle) plus activate() itself,
    // but not the time the extension host spends elsewhere between loading the module and calling activate.
    banner: { js: 'var __clinicalFtLoadStart = require("node:perf_hooks").performance.now();' },
    footer: { js: 'var __clinicalFtLoadEnd = require("node:perf_hooks").performance.now();' },
  },
  {
    ...common,
    // phiScanWorker: the PHI scan worker thread validateFile starts from beside trainer.js (clinical-ft validate).
    entryPoints: { trainer: 'src/trainer/main.ts', phiScanWorker: 'src/core/node/phiScanWorker.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Native TensorFlow packages are optional and loaded by a guarded require; never bundle them.
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '*.node'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: webviewEntries(),
    outdir: path.join(dist, 'webview'),
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css', '.ttf': 'file' },
    inject: [path.join(root, 'webview/shared/zodJitless.ts')],
  },
];

/**
 * dist/run-config.schema.json, generated from the zod RunConfig (one source) and contributed in package.json
 * for *.run.json files: completion, hover docs and errors while typing.
 */
async function writeRunConfigSchema() {
  const out = await esbuild.build({
    entryPoints: [path.join(root, 'src/core/runConfigSchema.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'warning',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, (await import('node:module')).createRequire(import.meta.url));
  fs.mkdirSync(dist, { recursive: true });
  fs.writeFileSync(path.join(dist, 'run-config.schema.json'), `${JSON.stringify(module.exports.runConfigJsonSchema(), null, 2)}\n`);
}

copyWasmBinaries();
copyNativeAddon();
await writeRunConfigSchema();
if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  const t0 = Date.now();
  await Promise.all(configs.map((c) => esbuild.build(c)));
  fs.chmodSync(path.join(dist, 'trainer.js'), 0o755);
  console.log(`esbuild: built ${configs.length} targets in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}
