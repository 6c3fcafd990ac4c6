import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportFileName, exportLabeledPairs, formatExportSummary } from '../../../src/core/labels/exportPairs';
import { annotatorAgreement, cohensKappa, formatAgreement } from '../../../src/core/labels/agreement';

const rec = (id: string, label?: string, extra: object = {}) =>
  JSON.stringify({ id, prompt: `q${id}`, chosen: `a${id}`, rejected: `b${id}`, ...(label ? { meta: { label, annotator: 'x', rationale: '', time: 't' } } : {}), ...extra });

test('export: A keeps, B swaps, tie/both_bad/unlabeled excluded and counted, bad lines reported', () => {
  const text = [rec('1', 'A'), rec('2', 'B'), rec('3', 'tie'), rec('4', 'both_bad'), rec('5'), 'oops', '', '{"text":"x"}', rec('6', 'A')].join('\n');
  const { lines, summary } = exportLabeledPairs(text);
  assert.deepEqual(lines.map((l) => JSON.parse(l)), [
    { id: '1', prompt: 'q1', chosen: 'a1', rejected: 'b1' },
    { id: '2', prompt: 'q2', chosen: 'b2', rejected: 'a2' },
    { id: '6', prompt: 'q6', chosen: 'a6', rejected: 'b6' },
  ]);
  assert.equal(summary.records, 6);
  assert.equal(summary.exported, 3);
  assert.equal(summary.swapped, 1);
  assert.equal(summary.ties, 1);
  assert.equal(summary.bothBad, 1);
  assert.equal(summary.unlabeled, 1);
  assert.deepEqual(summary.malformed.map((m) => m.line), [6, 8]);
  assert.match(formatExportSummary(summary), /3 pairs exported of 6 records.*1 tie and 1 both-bad excluded, 1 unlabeled, 2 invalid lines skipped \(first: line 6/);
});

test('export keeps implicit-prompt and chat-shaped records DPO-valid', () => {
  const { lines } = exportLabeledPairs(
    JSON.stringify({ chosen: [{ role: 'assistant', content: 'x' }], rejected: [{ role: 'assistant', content: 'y' }], meta: { label: 'B' } }),
  );
  assert.deepEqual(JSON.parse(lines[0]), { chosen: [{ role: 'assistant', content: 'y' }], rejected: [{ role: 'assistant', content: 'x' }] });
  assert.equal(exportFileName('/w/notes.prefs.jsonl'), '/w/notes.dpo.jsonl');
  assert.equal(exportFileName('/w/pairs.jsonl'), '/w/pairs.labeled.dpo.jsonl');
});

test('kappa: textbook 2x2 example (po 0.7, pe 0.5 → 0.4)', () => {
  const r = cohensKappa([
    [20, 5],
    [10, 15],
  ]);
  assert.equal(r.observed, 0.7);
  assert.equal(r.expected, 0.5);
  assert.ok(Math.abs(r.kappa! - 0.4) < 1e-12);
});

test('kappa: perfect agreement 1, chance-level 0, systematic disagreement negative, degenerate null', () => {
  assert.equal(cohensKappa([[3, 0], [0, 2]]).kappa, 1);
  assert.ok(Math.abs(cohensKappa([[1, 1], [1, 1]]).kappa!) < 1e-12);
  assert.equal(cohensKappa([[0, 2], [2, 0]]).kappa, -1);
  assert.equal(cohensKappa([[4, 0], [0, 0]]).kappa, null);
  assert.equal(cohensKappa([[0, 0], [0, 0]]).kappa, null);
});

test('agreement over shared ids: confusion table, disagreements with lines, unmatched counts', () => {
  // first: A A B B tie both_bad  A(unshared)  ; second: A B B B tie tie  (+ unshared id)
  const first = [rec('1', 'A'), rec('2', 'A'), rec('3', 'B'), rec('4', 'B'), rec('5', 'tie'), rec('6', 'both_bad'), rec('7', 'A'), rec('8')].join('\n');
  const second = [rec('6', 'tie'), rec('5', 'tie'), rec('4', 'B'), rec('3', 'B'), rec('2', 'B'), rec('1', 'A'), rec('9', 'B'), JSON.stringify({ chosen: 'a', rejected: 'b', meta: { label: 'A' } })].join('\n');
  const r = annotatorAgreement(first, second);
  assert.equal(r.shared, 6);
  assert.deepEqual(r.categories, ['A', 'B', 'tie', 'both_bad']);
  assert.deepEqual(r.confusion, [
    [1, 1, 0, 0],
    [0, 2, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 1, 0],
  ]);
  // po = 4/6; row marginals 2,2,1,1; column 1,3,2,0 → pe = (2+6+2+0)/36 = 10/36; kappa = (24/36-10/36)/(26/36) = 14/26
  assert.ok(Math.abs(r.kappa! - 14 / 26) < 1e-12);
  assert.deepEqual(r.disagreements, [
    { id: '2', first: { label: 'A', line: 2 }, second: { label: 'B', line: 5 } },
    { id: '6', first: { label: 'both_bad', line: 6 }, second: { label: 'tie', line: 1 } },
  ]);
  assert.equal(r.onlyFirst, 1);
  assert.equal(r.onlySecond, 1);
  assert.equal(r.withoutId, 1);
  const text = formatAgreement(r, 'alice.prefs.jsonl', 'bob.prefs.jsonl');
  assert.match(text, /Cohen's kappa: 0\.538/);
  assert.match(text, /6: both_bad \(line 6\) vs tie \(line 1\)/);
});
