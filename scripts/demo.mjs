// `npm run demo`: builds the extension's trainer (dist/trainer.js, the CLI the demo trains with), bundles
// src/trainer/demo/cli.ts and runs it. Options pass through: npm run demo -- --seeds 1 --limit 20
// On a fresh clone it first tries to build the optional native OpenBLAS kernels: with them the demo takes about
// 10 minutes on 2 cores, without them (pure wasm) about 3.5 times as long.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bundleAndRun, repoRoot as root } from './bundleForNode.mjs';
import { ensureNativeAddon } from './nativeAddon.mjs';

ensureNativeAddon('demo');
const build = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
process.exit(await bundleAndRun('src/trainer/demo/cli.ts', 'demo', process.argv.slice(2)));
