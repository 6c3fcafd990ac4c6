// `clinical-ft validate` on a big file scans PHI in the worker beside its bundle; a worker that fails is one line
// on stderr naming the file, the lines and the cause (exit 2), never a stack trace or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateCommand } from '../../../src/trainer/cli/validateCommand';

const childArgs = process.env.CFT_VALIDATE_CHILD;
if (childArgs) void validateCommand.run(JSON.parse(childArgs) as string[]).then((code) => process.exit(code));

if (!childArgs) {
  test('validate CLI: a failing PHI worker is one clear line on stderr, exit 2; --threads 0 needs none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-validate-cli-'));
    const file = path.join(dir, 'big.jsonl');
    const line = (i: number) => JSON.stringify({ prompt: `Case ${i}: admitted with cellulitis, treated with cefazolin for ${i % 7} days.`, completion: ' Cellulitis.' });
    fs.writeFileSync(file, `${Array.from({ length: 120_000 }, (_, i) => line(i)).join('\n')}\n`);
    assert.ok(fs.statSync(file).size >= 8 * 1024 * 1024);
    // The CLI starts the worker found beside its own bundle: here, beside this test's bundle.
    const worker = path.join(__dirname, 'phiScanWorker.js');
    fs.writeFileSync(worker, `const { parentPort } = require('node:worker_threads');\nparentPort.on('message', () => { throw new Error('detector exploded'); });\nparentPort.postMessage({ type: 'ready' });\n`);
    try {
      const run = (...args: string[]) => spawnSync(process.execPath, [__filename], { encoding: 'utf8', env: { ...process.env, CFT_VALIDATE_CHILD: JSON.stringify([file, '--json', ...args]) } });
      const r = run('--threads', '1');
      assert.equal(r.status, 2, r.stdout);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^clinical-ft validate: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the PHI scan worker thread stopped while scanning lines \\d+-\\d+: detector exploded\\n$`));
      // --threads 0: no worker is started, the scan runs in the CLI's own thread.
      const alone = run('--threads', '0');
      assert.equal(alone.status, 0, alone.stderr);
      assert.equal(JSON.parse(alone.stdout).records, 120_000);
      assert.match(run('--threads', 'many').stderr, /--threads must be a whole number from 0 to 64/);
    } finally {
      fs.rmSync(worker, { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
