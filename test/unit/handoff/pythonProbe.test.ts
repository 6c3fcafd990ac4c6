// Show environment's TRL section: the configured interpreter is asked for its versions and CUDA devices;
// anything that is not a Python answering the probe becomes one message naming the interpreter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probePython } from '../../../src/core/node/pythonProbe';
import { formatPythonStack, missingForTrl } from '../../../src/core/pythonStack';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();

function fakeInterpreter(body: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pyprobe-')), 'python');
  fs.writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  return file;
}

test('a missing, silent, hanging or garbage-printing interpreter gives one clear message', async () => {
  const missing = await probePython('/nonexistent/bin/python');
  assert.deepEqual(missing, { ok: false, message: '/nonexistent/bin/python: no such file' });
  const garbage = fakeInterpreter('echo hello');
  const g = await probePython(garbage);
  assert.equal(g.ok, false);
  assert.match(g.ok ? '' : g.message, /did not answer like a Python interpreter/);
  const crash = fakeInterpreter('echo "ModuleNotFoundError: boom" >&2; exit 1');
  const c = await probePython(crash);
  assert.match(c.ok ? '' : c.message, /: ModuleNotFoundError: boom$/);
  const wrongShape = fakeInterpreter('echo \'{"python": 3}\'');
  assert.match((await probePython(wrongShape)).ok ? '' : 'unexpected', /unexpected/);
  const hang = fakeInterpreter('sleep 5');
  const h = await probePython(hang, 300);
  assert.match(h.ok ? '' : h.message, /no answer within 0.3 s/);
});

test('a real Python without torch is reported, with what TRL runs still need', async () => {
  const r = await probePython('python3');
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.match(r.report.python, /^3\.\d+/);
  if (r.report.packages.torch) return; // this machine's system Python has the stack: nothing missing to show
  assert.deepEqual(missingForTrl(r.report).slice(0, 1), ['torch']);
  assert.match(formatPythonStack(r.report), /✗ TRL runs need: torch/);
});

test('the pinned venv (when installed) reports every TRL package, trl at its pinned version', async (t) => {
  const python = process.env.CLINICAL_FT_PYTHON ?? path.join(os.homedir(), '.cache/clinical-ft-py/venv/bin/python');
  if (!fs.existsSync(python)) return t.skip(`no venv at ${python}`);
  const r = await probePython(python, 300_000);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.deepEqual(missingForTrl(r.report), []);
  const pins = fs.readFileSync(path.join(root, 'scripts/python-requirements.txt'), 'utf8');
  assert.ok(pins.includes(`trl==${r.report.packages.trl}`), `trl ${r.report.packages.trl} is not the pinned version`);
  assert.match(formatPythonStack(r.report), /✓ TRL runs are available/);
});

test('clinicalFt.pythonPath is machine-scoped and restricted in untrusted workspaces', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.contributes.configuration.properties['clinicalFt.pythonPath'].scope, 'machine');
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('clinicalFt.pythonPath'));
});
