import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLabelToLine, minimalReplacement, topLevelMembers } from '../../../src/core/labels/lineEdit';

const upd = { annotator: 'dr.x', label: 'A' as const, time: '2026-01-01T00:00:00.000Z' };

test('appends meta without touching the rest of the line', () => {
  const line = '{"id": "p1",  "prompt":"Q \\u00e9", "chosen":"a","rejected":"b"}';
  const out = applyLabelToLine(line, upd);
  assert.equal(out, '{"id": "p1",  "prompt":"Q \\u00e9", "chosen":"a","rejected":"b","meta":{"annotator":"dr.x","label":"A","rationale":"","time":"2026-01-01T00:00:00.000Z"}}');
  assert.deepEqual(JSON.parse(out).meta.label, 'A');
});

test('replaces an existing meta value in place, keeping foreign meta keys', () => {
  const line = '{"id":"p1","meta":{"source":"gen","label":"B","rationale":"why"},"chosen":"a","rejected":"b"}';
  const out = applyLabelToLine(line, { ...upd, label: 'tie' });
  assert.equal(out, '{"id":"p1","meta":{"source":"gen","label":"tie","rationale":"why","annotator":"dr.x","time":"2026-01-01T00:00:00.000Z"},"chosen":"a","rejected":"b"}');
});

test('clearing the label removes it; rationale updates alone', () => {
  const line = '{"chosen":"a","rejected":"b","meta":{"label":"A","rationale":"x"}}';
  const cleared = JSON.parse(applyLabelToLine(line, { ...upd, label: undefined }));
  assert.equal('label' in cleared.meta, false);
  assert.equal(cleared.meta.rationale, 'x');
  const withWhy = JSON.parse(applyLabelToLine(line, { ...upd, label: 'A', rationale: 'cites "guideline" {x}' }));
  assert.equal(withWhy.meta.rationale, 'cites "guideline" {x}');
});

test('handles nested values, strings with braces and escapes, and an empty object', () => {
  const line = ' { "prompt":[{"role":"user","content":"a } \\" ] {"}], "chosen":"x,y","rejected":"z" } ';
  const m = topLevelMembers(line);
  assert.deepEqual(m.members.map((x) => x.key), ['prompt', 'chosen', 'rejected']);
  assert.equal(line.slice(m.members[1].valueStart, m.members[1].valueEnd), '"x,y"');
  const out = applyLabelToLine(line, upd);
  assert.equal(JSON.parse(out).meta.annotator, 'dr.x');
  assert.ok(out.startsWith(' { "prompt":[{"role":"user","content":"a } \\" ] {"}], "chosen":"x,y","rejected":"z","meta":'));
  assert.equal(JSON.parse(applyLabelToLine('{}', upd)).meta.label, 'A');
});

test('duplicate meta keys: the last one (what JSON.parse keeps) is edited', () => {
  const out = applyLabelToLine('{"meta":{"a":1},"chosen":"x","rejected":"y","meta":{"b":2}}', upd);
  assert.ok(out.startsWith('{"meta":{"a":1},'));
  assert.equal(JSON.parse(out).meta.b, 2);
});

test('minimalReplacement covers exactly the differing middle', () => {
  assert.equal(minimalReplacement('abc', 'abc'), undefined);
  assert.deepEqual(minimalReplacement('{"label":"A"}', '{"label":"tie"}'), { start: 10, end: 11, text: 'tie' });
  assert.deepEqual(minimalReplacement('aaa', 'aaaa'), { start: 3, end: 3, text: 'a' });
  assert.deepEqual(minimalReplacement('xay', 'xy'), { start: 1, end: 2, text: '' });
  for (const [a, b] of [['', 'x'], ['abcabc', 'abc'], ['ab', 'ba'], ['hello world', 'hello, world!']]) {
    const r = minimalReplacement(a, b)!;
    assert.equal(a.slice(0, r.start) + r.text + a.slice(r.end), b);
  }
});
