// The doors between the rooms (DESIGN.md): src/core imports neither vscode nor tfjs nor another room;
// only src/trainer imports tfjs; webview/ imports no Node modules. Checked on the real import graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((d) => {
    const rel = path.join(dir, d.name);
    return d.isDirectory() ? sources(rel) : /\.(ts|tsx|mts)$/.test(d.name) ? [rel] : [];
  });
}

/** Module specifiers of static imports, re-exports, dynamic imports and require calls. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]|(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function roomOf(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = path.normalize(path.join(path.dirname(file), spec));
  for (const room of ['src/core', 'src/trainer', 'src/host', 'webview']) if (target === room || target.startsWith(room + path.sep)) return room;
  return 'elsewhere';
}

const isTfjs = (s: string) => s.startsWith('@tensorflow/');
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function violations(dir: string, rule: (spec: string, room: string | undefined) => string | undefined): string[] {
  return sources(dir).flatMap((file) =>
    importsOf(fs.readFileSync(path.join(root, file), 'utf8')).flatMap((spec) => {
      const why = rule(spec, roomOf(file, spec));
      return why ? [`${file}: imports "${spec}" — ${why}`] : [];
    }),
  );
}

test('importsOf sees every import form', () => {
  const text = `import a from 'x';\nimport * as b from "y";\nimport 'z';\nexport { c } from './w';\nconst d = require('v');\nconst e = await import('u');\nimport type { F } from '@tensorflow/tfjs';`;
  assert.deepEqual(importsOf(text).sort(), ['./w', '@tensorflow/tfjs', 'u', 'v', 'x', 'y', 'z'].sort());
});

test('src/core imports neither vscode, tfjs, nor another room', () => {
  assert.deepEqual(
    violations('src/core', (spec, room) =>
      spec === 'vscode' ? 'vscode in core' : isTfjs(spec) ? 'tfjs in core' : room && room !== 'src/core' ? `reaches into ${room}` : undefined,
    ),
    [],
  );
});

test('only src/trainer imports tfjs', () => {
  const rule = (spec: string) => (isTfjs(spec) ? 'tfjs outside src/trainer' : undefined);
  assert.deepEqual([...violations('src/host', rule), ...violations('src/core', rule), ...violations('webview', rule)], []);
});

test('src/host never imports trainer code (it talks to the trainer process)', () => {
  assert.deepEqual(violations('src/host', (_s, room) => (room === 'src/trainer' || room === 'webview' ? `reaches into ${room}` : undefined)), []);
});

test('src/trainer never imports vscode or host code', () => {
  assert.deepEqual(violations('src/trainer', (spec, room) => (spec === 'vscode' ? 'vscode in trainer' : room === 'src/host' || room === 'webview' ? `reaches into ${room}` : undefined)), []);
});

test('webview/ imports no Node modules, vscode, or host/trainer code', () => {
  assert.deepEqual(
    violations('webview', (spec, room) =>
      nodeBuiltins.has(spec) ? 'Node module in browser code' : spec === 'vscode' ? 'vscode in webview' : room === 'src/host' || room === 'src/trainer' ? `reaches into ${room}` : undefined,
    ),
    [],
  );
});

test('the rule catches a breach (a core file importing vscode)', () => {
  const file = path.join('src/core', '__probe__.ts');
  fs.writeFileSync(path.join(root, file), "import * as vscode from 'vscode';\nexport const x = vscode;\n");
  try {
    const found = violations('src/core', (spec) => (spec === 'vscode' ? 'vscode in core' : undefined));
    assert.equal(found.length, 1);
  } finally {
    fs.rmSync(path.join(root, file));
  }
});
