import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerLetter, goldLabel, scoreExample, taskMetrics } from '../../../src/core/compare/taskScoring';

test('UTI: yes/no extracted from free text, macro-F1 over both classes', () => {
  assert.deepEqual(scoreExample('uti', ' yes', 'Yes.'), { predicted: 'yes', score: 1 });
  assert.deepEqual(scoreExample('uti', ' no', 'the patient has'), { predicted: null, score: 0 });
  const [m] = taskMetrics('uti', [
    { gold: ' yes', output: ' yes' },
    { gold: ' no', output: ' yes' },
    { gold: ' no', output: ' no' },
    { gold: ' yes', output: 'maybe' },
  ]);
  // yes: P 1/2 R 1/2 F 0.5; no: P 1 R 1/2 F 2/3 → macro 0.5833
  assert.equal(m.metric, 'macroF1');
  assert.ok(Math.abs(m.value - (0.5 + 2 / 3) / 2) < 1e-9);
});

test('triage: urgency from the "Urgency:" line, "urgent" never mistaken inside "emergency"', () => {
  const gold = 'Urgency: emergency\nResponder: physician';
  assert.equal(goldLabel('triage', gold), 'emergency');
  assert.deepEqual(scoreExample('triage', gold, 'Urgency: urgent\nResponder: physician'), { predicted: 'urgent', score: 0 });
  assert.deepEqual(scoreExample('triage', gold, 'Urgency: emergency\nResponder: nurse'), { predicted: 'emergency', score: 1 });
  const metrics = taskMetrics('triage', [
    { gold, output: 'Urgency: emergency\nResponder: nurse' },
    { gold: 'Urgency: routine\nResponder: front desk', output: 'Urgency: routine\nResponder: front desk' },
  ]);
  assert.deepEqual(metrics.map((m) => [m.metric, m.value]), [['urgencyMacroF1', 1], ['responderMacroF1', 1 / 3]]);
});

test('reasoning: accuracy on the option letter only', () => {
  assert.equal(answerLetter('B. Pulmonary embolism: because'), 'B');
  assert.equal(answerLetter('(C) Something'), 'C');
  assert.equal(answerLetter('D'), 'D');
  assert.equal(answerLetter('Because A is wrong'), null);
  const [m] = taskMetrics('reasoning', [
    { gold: 'A. X: y.', output: 'A. Z: w.' },
    { gold: 'B. X: y.', output: 'C. X: y.' },
  ]);
  assert.equal(m.value, 0.5);
});

test('summarization: mean ROUGE-L F', () => {
  const [m] = taskMetrics('summarization', [
    { gold: 'admitted for pneumonia', output: 'admitted for pneumonia' },
    { gold: 'admitted for pneumonia', output: 'unrelated words' },
  ]);
  assert.equal(m.value, 0.5);
  assert.deepEqual(taskMetrics('summarization', []), []);
});
