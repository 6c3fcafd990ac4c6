// Every defect file in datasets-sample/defects yields exactly the issues written down by the generator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateFile } from '../../../src/core/node/validateFile';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const dir = path.join(root, 'datasets-sample/defects');
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, { severity: string; code: string; line: number; column: number }[]>;

test('there is a defect file for each kind the validator reports', () => {
  const codes = new Set(Object.values(expected).flatMap((x) => x.map((i) => i.code)));
  for (const c of ['json_syntax', 'invalid_utf8', 'not_object', 'unknown_format', 'missing_field', 'wrong_type', 'empty_string', 'unknown_field', 'field_alias', 'role_order', 'invalid_role', 'duplicate_id', 'duplicate_record', 'mixed_format', 'torn_last_line', 'empty_file', 'mixed_sides', 'identical_pair', 'phi_phone']) {
    assert.ok(codes.has(c), `no defect file for ${c}`);
  }
});

for (const [file, want] of Object.entries(expected)) {
  test(`defect file ${file}`, async () => {
    const r = await validateFile(path.join(dir, file));
    const got = [...r.errors.map((i) => ({ severity: 'error', ...i })), ...r.warnings.map((i) => ({ severity: 'warning', ...i }))].map(({ severity, code, line, column }) => ({ severity, code, line, column }));
    const key = (x: { line: number; column: number; code: string }) => `${x.line}:${x.column}:${x.code}`;
    assert.deepEqual(got.sort((a, b) => key(a).localeCompare(key(b))), [...want].sort((a, b) => key(a).localeCompare(key(b))));
  });
}

test('alias defects carry a certain fix that makes the file valid', async () => {
  for (const file of ['alias-response.jsonl', 'alias-output.jsonl', 'role-invalid.jsonl']) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const r = await validateFile(path.join(dir, file));
    const fix = r.errors[0].fix;
    assert.ok(fix, `${file} has a fix`);
    const lines = text.split('\n');
    const l = lines[r.errors[0].line - 1];
    lines[r.errors[0].line - 1] = l.slice(0, fix.column - 1) + fix.text + l.slice(fix.endColumn - 1);
    const tmp = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cft-')), file);
    fs.writeFileSync(tmp, lines.join('\n'));
    const after = await validateFile(tmp);
    assert.deepEqual(after.errors, [], `${file} after fix`);
  }
});

test('a line nested deeper than 512 levels is that line\'s error, not the end of the file\'s validation', async () => {
  const deep = '['.repeat(600) + ']'.repeat(600);
  const lines = [
    JSON.stringify({ prompt: 'a', completion: 'b' }),
    `{"prompt":${deep},"completion":"b"}`,
    `{"prompt":"a","completion":${deep.slice(0, -1)}}`,
    JSON.stringify({ prompt: 'c', completion: 'd' }),
    // Valid, but a duplicate of line 1 whose warning needs positions inside the deep "meta".
    `{"prompt":"a","completion":"b","meta":{"x":${deep}}}`,
  ];
  const file = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cft-deep-')), 'deep.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const r = await validateFile(file);
  assert.equal(r.records, 2, 'the lines around the deep ones are still read');
  assert.deepEqual(r.errors.map((e) => [e.line, e.code]), [[2, 'json_too_deep'], [3, 'json_syntax'], [5, 'json_too_deep']]);
  assert.match(r.errors[0].message, /deeper than 512 levels/);
});
