import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetCandidate, describeCandidate, orderCandidates, preselected, siblingEvalSplit, splitOf } from '../../../src/core/datasets/datasetChoice';

const sft = JSON.stringify({ prompt: 'p', completion: 'c' });
const chat = JSON.stringify({ messages: [{ role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }] });
const pair = JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' });

test('splits are read from the file name', () => {
  assert.equal(splitOf('a/triage.train.sft.jsonl'), 'train');
  assert.equal(splitOf('a/triage.eval.sft.jsonl'), 'eval');
  assert.equal(splitOf('a/notes_val.jsonl'), 'eval');
  assert.equal(splitOf('train/notes.jsonl'), 'other', 'the folder name does not make a file a split');
  assert.equal(splitOf('a/constraint.jsonl'), 'other');
});

test('for SFT: SFT files first, train splits before others before eval splits, defects last; the preselection is a train split', () => {
  const cs = [
    datasetCandidate('datasets-sample/defects/alias-output.jsonl', sft, 'sft'),
    datasetCandidate('datasets-sample/triage/triage.eval.sft.jsonl', chat, 'sft'),
    datasetCandidate('datasets-sample/triage/triage.train.dpo.jsonl', pair, 'sft'),
    datasetCandidate('notes.jsonl', sft, 'sft'),
    datasetCandidate('datasets-sample/triage/triage.train.sft.jsonl', chat, 'sft'),
    datasetCandidate('broken.jsonl', '{not json', 'sft'),
  ];
  assert.deepEqual(orderCandidates(cs).map((c) => c.relPath), [
    'datasets-sample/triage/triage.train.sft.jsonl',
    'notes.jsonl',
    'datasets-sample/triage/triage.eval.sft.jsonl',
    'datasets-sample/defects/alias-output.jsonl',
    'datasets-sample/triage/triage.train.dpo.jsonl',
    'broken.jsonl',
  ]);
  assert.equal(preselected(cs)?.relPath, 'datasets-sample/triage/triage.train.sft.jsonl');
  assert.equal(describeCandidate(cs[1]!), 'SFT chat messages · held-out split');
});

test('eval splits and defect files are never preselected, even when nothing else fits', () => {
  const dpo = [datasetCandidate('datasets-sample/defects/dpo-identical.jsonl', pair, 'dpo'), datasetCandidate('t/x.eval.dpo.jsonl', pair, 'dpo')];
  assert.equal(preselected(dpo), undefined);
  assert.equal(preselected([...dpo, datasetCandidate('t/x.train.dpo.jsonl', pair, 'dpo')])?.relPath, 't/x.train.dpo.jsonl');
});

test('the held-out split beside a training file', () => {
  const files = new Set(['/d/triage.train.sft.jsonl', '/d/triage.eval.sft.jsonl', '/e/notes.jsonl', '/e/notes.eval.jsonl', '/f/a_train.jsonl', '/f/a_val.jsonl']);
  const exists = (f: string) => files.has(f);
  assert.equal(siblingEvalSplit('/d/triage.train.sft.jsonl', exists), '/d/triage.eval.sft.jsonl');
  assert.equal(siblingEvalSplit('/e/notes.jsonl', exists), '/e/notes.eval.jsonl');
  assert.equal(siblingEvalSplit('/f/a_train.jsonl', exists), '/f/a_val.jsonl');
  assert.equal(siblingEvalSplit('/g/other.jsonl', exists), undefined);
});
