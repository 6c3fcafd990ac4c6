import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultGrid, checksMarkdown, resultsMarkdown } from '../../../src/trainer/demo/demoReport';
import { referenceAnswer } from '../../../src/core/datasets/recordSummary';
import { sftRecord } from '../train/mockModel';

const goldOf = (raw: object) => referenceAnswer(sftRecord(raw));

function grid(): ResultGrid {
  const g = new ResultGrid();
  g.add('base', 'macroF1', 0.3);
  for (const v of [0.9, 0.95, 0.85]) g.add('SFT', 'macroF1', v);
  for (const v of [0.2, 0.22, 0.21]) g.add('SFT', 'accuracy', v);
  for (const v of [0.3, 0.31, 0.29]) g.add('DPO', 'accuracy', v);
  for (const v of [0.5, 0.6, 0.4]) g.add('SFT', 'rougeL', v);
  for (const v of [0.52, 0.45, 0.58]) g.add('DPO', 'rougeL', v);
  return g;
}

test('the grid lays values out as the study table: rows base/SFT/DPO, one list of seeds per cell', () => {
  const t = grid().table();
  assert.deepEqual(t.rows.map((r) => r.model), ['base', 'SFT', 'DPO']);
  const acc = t.columns.findIndex((c) => c.metric === 'accuracy');
  assert.deepEqual(t.rows[2].cells[acc], [0.3, 0.31, 0.29]);
  assert.deepEqual(t.rows[0].cells[acc], []);
});

test('checks: SFT−base on UTI against +0.2, DPO−SFT against the seed spread', () => {
  const lines = checksMarkdown(grid().table());
  assert.match(lines[0], /UTI classification F1: \+0\.600 \(target ≥ \+0\.2\) — \*\*met\*\*/);
  assert.ok(lines.some((l) => /Reasoning accuracy: \+0\.090, seed-to-seed spread 0\.020 — \*\*beats the spread\*\*/.test(l)));
  assert.ok(lines.some((l) => /Summarization ROUGE-L: \+0\.017, seed-to-seed spread 0\.200 — within the spread or worse/.test(l)));
  assert.match(lines[lines.length - 1], /\*\*yes\*\*/);
});

test('results.md says when the demo stopped early and keeps the published numbers apart', () => {
  const md = resultsMarkdown(grid().table(), { model: 'datasets-sample/model', seeds: [1, 2, 3], budget: { sftSteps: 1 }, minutes: 3.2, backend: 'wasm', complete: false });
  assert.match(md, /incomplete: the demo stopped early/);
  assert.match(md, /\| SFT \| 0\.900 ± 0\.050 \(n=3\)/);
  assert.match(md, /For shape only: the published result/);
});

test('gold answers come from every SFT format', () => {
  assert.equal(goldOf({ prompt: 'p', completion: ' yes' }), ' yes');
  assert.equal(goldOf({ instruction: 'i', input: 'x', output: 'B. X' }), 'B. X');
  assert.equal(goldOf({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'Urgency: urgent' }] }), 'Urgency: urgent');
  assert.equal(goldOf({ text: 't' }), undefined, 'plain text has no answer to compare against');
});
