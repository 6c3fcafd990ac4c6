// `npm run pretrain-sample-model`: bundles src/trainer/pretrain/main.ts (packages external) and runs it.
// Options pass through, e.g. npm run pretrain-sample-model -- --steps 200 --out /tmp/model
import { bundleAndRun } from '../bundleForNode.mjs';

process.exit(await bundleAndRun('src/trainer/pretrain/main.ts', 'pretrain', process.argv.slice(2)));
