// `npm run demo`: builds the extension's trainer (dist/trainer.js, the CLI the demo trains with), bundles
// src/trainer/demo/cli.ts and runs it. Options pass through: npm run demo -- --seeds 1 --limit 20
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bundleAndRun, repoRoot as root } from './bundleForNode.mjs';

const build = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
process.exit(await bundleAndRun('src/trainer/demo/cli.ts', 'demo', process.argv.slice(2)));
