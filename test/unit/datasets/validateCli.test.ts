// `clinical-ft validate` (DESIGN.md contract): exit 0 valid / 1 invalid / 2 usage or IO error, and the --json shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateCommand } from '../../../src/trainer/cli/validateCommand';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const sample = (...p: string[]) => path.join(root, 'datasets-sample', ...p);

// The CLI runs in a child process (this same bundle, in "child mode"): the test runner owns this process's stdout.
const childArgs = process.env.CFT_VALIDATE_CHILD;
if (childArgs) void validateCommand.run(JSON.parse(childArgs) as string[]).then((code) => process.exit(code));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = spawnSync(process.execPath, [__filename], { encoding: 'utf8', env: { ...process.env, CFT_VALIDATE_CHILD: JSON.stringify(args) } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

if (!childArgs) {
  test('valid file: exit 0 and the JSON shape of the contract', async () => {
    const r = await run([sample('uti', 'uti.eval.sft.jsonl'), '--json']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j).sort(), ['errors', 'format', 'records', 'warnings']);
    assert.equal(j.format, 'prompt_completion');
    assert.equal(j.records, 100);
  });

  test('invalid file: exit 1, issues with line, column, field, code, message; text mode names file:line:column', async () => {
    const r = await run([sample('defects', 'wrong-type.jsonl'), '--json']);
    assert.equal(r.code, 1);
    const issue = JSON.parse(r.out).errors[0];
    for (const k of ['line', 'column', 'field', 'code', 'message']) assert.ok(k in issue, k);
    const text = await run([sample('defects', 'wrong-type.jsonl')]);
    assert.match(text.out, /wrong-type\.jsonl:2:\d+: error \[wrong_type\] completion:/);
  });

  test('--phi-errors turns PHI warnings into errors (exit 1); --format dpo rejects SFT records', async () => {
    assert.equal((await run([sample('defects', 'phi-phone.jsonl')])).code, 0);
    assert.equal((await run([sample('defects', 'phi-phone.jsonl'), '--phi-errors'])).code, 1);
    assert.equal((await run([sample('uti', 'uti.eval.sft.jsonl'), '--format', 'dpo'])).code, 1);
  });

  test('usage and IO errors: exit 2 with a message, never a stack trace', async () => {
    const missing = await run([sample('nope.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read .*nope\.jsonl: no such file/);
    assert.doesNotMatch(missing.err, /\n\s+at /);
    assert.equal((await run([])).code, 2);
    assert.equal((await run([sample('uti', 'uti.eval.sft.jsonl'), '--format', 'xml'])).code, 2);
    assert.equal((await run([sample('uti')])).code, 2);
  });

  test('--against reports train/eval leakage as warnings', async () => {
    const r = await run([sample('uti', 'uti.eval.sft.jsonl'), '--json', '--against', sample('uti', 'uti.eval.sft.jsonl')]);
    const w = JSON.parse(r.out).warnings as { code: string }[];
    assert.equal(w.filter((x) => x.code === 'leakage_exact').length, 100);
  });
}
