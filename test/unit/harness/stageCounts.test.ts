// npm test's closing line and its skip check read each stage's output: checked here on real node:test
// output (a tiny suite with a pass, a failure, a skip and a todo) and on the integration stage's own lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { counts, undeclaredSkips } from '../../stageCounts.mjs';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();

test('node:test spec output: passed, failed (cancelled included), skipped (todo included) and the skipped names', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-counts-'));
  const file = path.join(dir, 'sample.test.js');
  fs.writeFileSync(file, `const { test } = require('node:test');
test('adds', () => {});
test('breaks', () => { throw new Error('no'); });
test('needs a GPU', { skip: 'GPU backend absent' }, () => {});
test('later', { todo: true }, () => {});
test('hangs', { timeout: 50 }, () => new Promise(() => {}));
`);
  // Without NODE_TEST_CONTEXT: inside a test run it makes the child report to this runner instead of printing.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', file], { encoding: 'utf8', env });
  fs.rmSync(dir, { recursive: true, force: true });
  const c = counts(r.stdout + r.stderr);
  assert.deepEqual({ ...c, names: c.names.sort() }, { passed: 1, failed: 2, skipped: 2, names: ['later', 'needs a GPU'] }, r.stdout);
});

test('the integration and selfcheck stages: their own "N passed, N failed, N skipped" line and "skipped:" names', () => {
  const out = 'vscode-in-browser: workbench up\nskipped: runs cancel mid-run\nintegration: 12 passed, 1 failed, 1 skipped\n';
  assert.deepEqual(counts(out), { passed: 12, failed: 1, skipped: 1, names: ['runs cancel mid-run'] });
  assert.deepEqual(counts('selfcheck: 1 passed, 0 failed\n'), { passed: 1, failed: 0, skipped: 0, names: [] });
  assert.deepEqual(counts('crashed before any count\n'), { passed: 0, failed: 0, skipped: 0, names: [] });
});

test('a skip is allowed only when test/expected-skips.json names it for that stage; an unnamed skip never is', () => {
  const declared = JSON.parse(fs.readFileSync(path.join(root, 'test/expected-skips.json'), 'utf8')).skips as { stage: string; test: string; reason: string }[];
  for (const d of declared) assert.ok(d.stage && d.test && d.reason.length > 10, `every entry has stage, test and reason: ${JSON.stringify(d)}`);
  const native = declared[0].test;
  assert.deepEqual(undeclaredSkips('unit', { passed: 5, failed: 0, skipped: 1, names: [native] }, declared), []);
  assert.deepEqual(undeclaredSkips('integration', { passed: 5, failed: 0, skipped: 1, names: [native] }, declared), [native], 'declared for another stage');
  assert.deepEqual(undeclaredSkips('unit', { passed: 5, failed: 0, skipped: 1, names: ['needs a GPU'] }, declared), ['needs a GPU']);
  assert.equal(undeclaredSkips('unit', { passed: 5, failed: 0, skipped: 2, names: [native] }, declared).length, 1, 'a skip the stage did not name');
});
