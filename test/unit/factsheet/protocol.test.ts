// The fact sheet panel's messages: what the webview may ask is parsed strictly (unknown types, extra keys,
// answers to fields that do not exist, unknown export formats are refused), and every host snapshot parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FactSheetHostMessage, FactSheetWebviewMessage } from '../../../src/core/protocol/factsheet';
import { buildFactSheet } from '../../../src/core/factsheet/document';
import { FactSheetInputs } from '../../../src/core/factsheet/inputs';
import { sampleInputs } from './sampleInputs';

test('webview → host: only ready, save (known fields, text) and export (known formats)', () => {
  const ok = (m: unknown) => FactSheetWebviewMessage.safeParse(m).success;
  assert.ok(ok({ type: 'ready' }));
  assert.ok(ok({ type: 'save', answers: { intendedUse: 'x', knownRisks: '' } }));
  assert.ok(ok({ type: 'export', formats: ['md', 'chai'] }));
  assert.ok(!ok({ type: 'save', answers: { madeUp: 'x' } }));
  assert.ok(!ok({ type: 'save', answers: { intendedUse: 1 } }));
  assert.ok(!ok({ type: 'save', answers: { intendedUse: 'x'.repeat(20_001) } }));
  assert.ok(!ok({ type: 'export', formats: [] }));
  assert.ok(!ok({ type: 'export', formats: ['pdf'] }));
  assert.ok(!ok({ type: 'ready', extra: true }));
  assert.ok(!ok({ type: 'runCommand', command: 'rm' }));
});

test('host → webview: the snapshot carries the document the exports render, and the facts schema round-trips', () => {
  const inputs = FactSheetInputs.parse(JSON.parse(JSON.stringify(sampleInputs())));
  const doc = buildFactSheet(inputs, { intendedUse: 'x' });
  const r = FactSheetHostMessage.safeParse({ type: 'snapshot', status: { phase: 'ready', message: '' }, doc, answers: { intendedUse: 'x' } });
  assert.ok(r.success, r.success ? '' : r.error.message);
  assert.ok(!FactSheetInputs.safeParse({ ...inputs, extra: 1 }).success);
});
