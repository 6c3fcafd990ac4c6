import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefsLine, parsePrefsText, splitLines, turnsText } from '../../../src/core/labels/prefsRecord';
import { candidateForSide, displayOrder } from '../../../src/core/labels/displayOrder';

test('classifies pairs, malformed, blank and other lines with reasons', () => {
  const lines = parsePrefsText(
    [
      '{"id":"p1","prompt":"q","chosen":"a","rejected":"b","meta":{"label":"B","annotator":"x","rationale":"r","time":"t"}}',
      '{"id":"p2", broken',
      '',
      '{"prompt":"q","completion":"c"}',
      '{"chosen":"a","rejected":3}',
      '{"chosen":"a","rejected":"b","meta":{"label":"maybe"}}',
      '[1,2]',
      '{"id":7,"chosen":[{"role":"assistant","content":"a"}],"rejected":"b"}',
    ].join('\n') + '\n',
  );
  assert.equal(lines.length, 8);
  assert.deepEqual(lines.map((l) => l.kind), ['pair', 'malformed', 'blank', 'other', 'malformed', 'malformed', 'malformed', 'pair']);
  const p = lines[0];
  assert.ok(p.kind === 'pair');
  assert.equal(p.label, 'B');
  assert.equal(p.rationale, 'r');
  const m = lines[4];
  assert.ok(m.kind === 'malformed' && m.error.includes('"rejected"'));
  const bad = lines[5];
  assert.ok(bad.kind === 'malformed' && bad.error.includes('meta.label'));
  const n = lines[7];
  assert.ok(n.kind === 'pair' && n.id === '7' && n.prompt === undefined);
});

test('splitLines counts lines like an editor, CRLF included', () => {
  assert.deepEqual(splitLines('a\r\nb\n'), ['a', 'b']);
  assert.deepEqual(splitLines('a\n\nb'), ['a', '', 'b']);
  assert.deepEqual(splitLines(''), ['']);
  assert.equal(parsePrefsLine('   ', 0).kind, 'blank');
});

test('turnsText renders chat turns readably', () => {
  assert.equal(turnsText([{ role: 'system', content: 's' }, { role: 'user', content: 'u' }]), 'system: s\n\nuser: u');
});

test('display order is deterministic per record and roughly balanced', () => {
  assert.equal(displayOrder('p1'), displayOrder('p1'));
  const orders = Array.from({ length: 1000 }, (_, i) => displayOrder(`p${i}`));
  const ba = orders.filter((o) => o === 'BA').length;
  assert.ok(ba > 430 && ba < 570, `BA ${ba}/1000`);
  // Consecutive ids must not simply alternate or stick.
  const runs = orders.slice(1).filter((o, i) => o !== orders[i]).length;
  assert.ok(runs > 400 && runs < 600, `changes ${runs}`);
  assert.equal(candidateForSide('AB', 1), 'A');
  assert.equal(candidateForSide('AB', 2), 'B');
  assert.equal(candidateForSide('BA', 1), 'B');
  assert.equal(candidateForSide('BA', 2), 'A');
});
