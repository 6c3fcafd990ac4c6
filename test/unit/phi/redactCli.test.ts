// `clinical-ft redact`: usage errors exit 2 naming the problem; a run writes NEW and its manifest and prints the summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { redactCommand } from '../../../src/trainer/cli/redactCommand';

const childArgs = process.env.CFT_REDACT_CHILD;
if (childArgs) void redactCommand.run(JSON.parse(childArgs) as string[]).then((code) => process.exit(code));

function run(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [__filename], { encoding: 'utf8', env: { ...process.env, CFT_REDACT_CHILD: JSON.stringify(args) } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

if (!childArgs) {
  test('redact CLI: usage errors, in-place refusal, summary and manifest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-redact-cli-'));
    const input = path.join(dir, 'in.jsonl');
    fs.writeFileSync(input, `${JSON.stringify({ text: 'Dr. Ana Lopez saw the patient on 03/14/2023.' })}\n`);
    assert.equal(run([input]).code, 2);
    assert.match(run([input]).err, /--out/);
    assert.match(run([input, '--out', path.join(dir, 'o.jsonl'), '--mode', 'mask']).err, /--mode must be placeholder or surrogate/);
    assert.match(run([input, '--out', path.join(dir, 'o.jsonl'), '--kinds', 'name,shoe']).err, /unknown kind shoe/);
    const inPlace = run([input, '--out', input]);
    assert.equal(inPlace.code, 2);
    assert.match(inPlace.err, /never in place/);
    const ok = run([input, '--out', path.join(dir, 'o.jsonl'), '--kinds', 'name,date']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Redacted 2 identifiers in 1 records \(placeholder\)/);
    assert.match(ok.out, /name +1/);
    assert.equal(fs.readFileSync(path.join(dir, 'o.jsonl'), 'utf8'), `${JSON.stringify({ text: 'Dr. [NAME] saw the patient on [DATE].' })}\n`);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'o.jsonl.redaction.json'), 'utf8'));
    assert.deepEqual(manifest.settings.kinds, ['name', 'date']);
    assert.equal(run([path.join(dir, 'missing.jsonl'), '--out', path.join(dir, 'x.jsonl')]).code, 2);
  });
}
