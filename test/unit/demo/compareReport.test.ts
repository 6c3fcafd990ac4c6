import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRows, studyCsv, studyMarkdown, summarize, type StudyTable } from '../../../src/core/compare/studyTable';
import { comparisonCsv, comparisonMarkdown, disagreementFilterLabel, filterExamples, isDisagreement, type Comparison } from '../../../src/core/compare/comparison';
import { csvCell, markdownCell } from '../../../src/core/compare/tableText';

const table: StudyTable = {
  columns: [
    { task: 'uti', metric: 'macroF1', label: 'UTI classification F1' },
    { task: 'reasoning', metric: 'accuracy', label: 'Reasoning accuracy' },
  ],
  rows: [
    { model: 'base', cells: [[0.4], [0.1]] },
    { model: 'SFT', cells: [[0.9, 0.8, 1.0], [0.3, 0.31, 0.29]] },
    { model: 'DPO', cells: [[], [0.4, 0.42, 0.38]] },
  ],
};

test('summaries use the sample standard deviation', () => {
  const s = summarize([0.9, 0.8, 1.0])!;
  assert.ok(Math.abs(s.mean - 0.9) < 1e-12);
  assert.ok(Math.abs(s.sd - 0.1) < 1e-12);
  assert.equal(s.n, 3);
  assert.equal(summarize([]), undefined);
  assert.equal(summarize([0.5])!.sd, 0);
});

test('markdown table: one row per model, mean ± sd with n, dash when not evaluated', () => {
  const md = studyMarkdown(table).split('\n');
  assert.equal(md[0], '| Model | UTI classification F1 | Reasoning accuracy |');
  assert.equal(md[2], '| base | 0.400 | 0.100 |');
  assert.equal(md[3], '| SFT | 0.900 ± 0.100 (n=3) | 0.300 ± 0.010 (n=3) |');
  assert.equal(md[4], '| DPO | — | 0.400 ± 0.020 (n=3) |');
});

test('CSV keeps every seed value', () => {
  const lines = studyCsv(table).trim().split('\n');
  assert.equal(lines[0], 'model,task,metric,label,mean,sd,min,max,n,values');
  assert.equal(lines.length, 1 + 3 * 2);
  assert.match(lines[3], /^SFT,uti,macroF1,UTI classification F1,0\.9000,0\.1000,0\.8000,1,3,0\.9000;0\.8000;1$/);
  assert.match(lines[5], /^DPO,uti,macroF1,UTI classification F1,,,,,0,$/);
});

test('a difference counts only when it beats the seed-to-seed spread', () => {
  const dpoVsSft = compareRows(table, 'DPO', 'SFT', 1)!;
  assert.ok(Math.abs(dpoVsSft.difference - 0.1) < 1e-9);
  assert.ok(Math.abs(dpoVsSft.spread - 0.04) < 1e-9);
  assert.equal(dpoVsSft.clear, true);
  const sftVsBase = compareRows(table, 'SFT', 'base', 0)!;
  assert.equal(sftVsBase.clear, true, '0.5 > 0.2 spread');
  const noisy: StudyTable = { columns: table.columns, rows: [{ model: 'A', cells: [[0.5, 0.9], []] }, { model: 'B', cells: [[0.6], []] }] };
  assert.equal(compareRows(noisy, 'A', 'B', 0)!.clear, false, '0.1 difference inside a 0.4 spread');
  assert.equal(compareRows(table, 'DPO', 'SFT', 0), undefined);
});

const comparison: Comparison = {
  dataset: 'uti.eval.jsonl',
  models: [{ name: 'base', modelDir: 'm' }, { name: 'SFT', modelDir: 'm', adapterDir: 'a' }],
  metrics: [{ name: 'macroF1', values: [0.5, null] }],
  examples: [
    { key: '1', prompt: 'Dysuria, "frequency"', gold: 'yes', outputs: ['yes', 'Yes.'], predicted: ['yes', 'yes'], scores: [1, 1] },
    { key: '2', prompt: 'No symptoms | line\nbreak', gold: 'no', outputs: ['yes', 'no'], predicted: ['yes', 'no'], scores: [0, 1] },
    { key: '3', prompt: 'x', gold: 'no', outputs: ['no', null] },
  ],
};

test('disagreement compares extracted labels when present, text otherwise, ignoring missing outputs', () => {
  assert.deepEqual(comparison.examples.map(isDisagreement), [false, true, false]);
  assert.equal(isDisagreement({ key: 'k', prompt: '', gold: '', outputs: ['A  summary', 'a summary'] }), false);
  assert.equal(isDisagreement({ key: 'k', prompt: '', gold: '', outputs: ['one', 'two'] }), true);
  assert.deepEqual(filterExamples(comparison, { onlyDisagreements: true }).map((e) => e.key), ['2']);
  assert.deepEqual(filterExamples(comparison, { onlyDisagreements: false, search: 'DYSURIA' }).map((e) => e.key), ['1']);
});

test('answers without an extractable label are compared by text: different prose is a disagreement, and the filter says what it compares', () => {
  const prose: Comparison = { ...comparison, examples: [{ key: 'p', prompt: '', gold: 'yes', outputs: ['The patient was seen', 'Urine culture sent'], predicted: [null, null] }] };
  assert.equal(isDisagreement(prose.examples[0]), true, 'two unparseable answers that differ are not "the same no-label"');
  assert.equal(isDisagreement({ key: 'q', prompt: '', gold: 'yes', outputs: ['yes', 'maybe'], predicted: ['yes', null] }), true);
  assert.equal(disagreementFilterLabel(prose), "Only examples where the models' answers differ (1 of 1, compared by text)");
  assert.equal(disagreementFilterLabel(comparison), "Only examples where the models' answers differ (1 of 3, compared by extracted label)");
});

test('exports escape dataset text for markdown and CSV', () => {
  assert.equal(markdownCell('a|b\nc'), 'a\\|b<br>c');
  assert.equal(csvCell('say "hi", ok'), '"say ""hi"", ok"');
  // OWASP CSV injection: text a spreadsheet would run as a formula is prefixed with a quote; numbers stay numbers.
  for (const [text, cell] of [
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+cmd|/C calc!A0', `"'+cmd|/C calc!A0"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['-0.5', '-0.5'],
    ['-0.5;+2e-3;1', '-0.5;+2e-3;1'],
    ['a=b', 'a=b'],
  ]) assert.equal(csvCell(text), cell, JSON.stringify(text));
  assert.equal(csvCell(-0.25), '-0.2500');
  const md = comparisonMarkdown(comparison, { onlyDisagreements: true });
  assert.match(md, /\| 2 \| No symptoms \\\| line<br>break \| no \| yes \| no \|/);
  assert.match(md, /\| macroF1 \| 0\.500 \| — \|/);
  assert.match(md, /Examples \(1 where the models disagree of 3\)/);
  const csv = comparisonCsv(comparison, { onlyDisagreements: false }).trim().split('\n');
  assert.equal(csv[0], 'key,prompt,gold,base output,base predicted,base score,SFT output,SFT predicted,SFT score');
  assert.equal(csv[1], '1,"Dysuria, ""frequency""",yes,yes,yes,1,Yes.,yes,1');
  assert.equal(csv.length, 1 + 3 + 1, 'the newline inside a quoted prompt spans two physical lines');
});
