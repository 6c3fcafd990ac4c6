// `npm run build:native`: node-gyp against the headers of the Node that runs it. node-gyp otherwise downloads
// headers from nodejs.org, which is out of reach here (registries only); Node's own install carries them in
// <prefix>/include/node (the Debian package, the official tarballs). A nodedir already configured is kept.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot as root } from './bundleForNode.mjs';

const prefix = path.dirname(path.dirname(process.execPath));
const own = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'));
const extra = process.argv.slice(2);
const chosen = process.env.npm_config_nodedir || extra.some((a) => a.startsWith('--nodedir'));
const args = ['rebuild', '-C', path.join(root, 'native'), ...(own && !chosen ? [`--nodedir=${prefix}`] : []), ...extra];
// The node-gyp that ships with npm: npm names it to the scripts it runs.
const npmDir = process.env.npm_execpath ? path.dirname(path.dirname(process.env.npm_execpath)) : '';
const gyp = [process.env.npm_config_node_gyp, path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find((p) => p && fs.existsSync(p));
if (!gyp) {
  console.error('build:native: node-gyp not found beside npm');
  process.exit(1);
}
const r = spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
