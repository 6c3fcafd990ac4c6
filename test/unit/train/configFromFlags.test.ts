import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromFlags } from '../../../src/trainer/train/configFromFlags';

const base = { method: 'dpo', model: 'm', data: 'pairs.jsonl' };

test('--rpo-alpha sets the RPO weight; without it DPO is plain (0)', () => {
  assert.equal(configFromFlags(base).rpoAlpha, 0);
  assert.equal(configFromFlags({ ...base, 'rpo-alpha': '0.5' }).rpoAlpha, 0.5);
});

test('--rpo-alpha refuses a negative or non-numeric value with the flag named', () => {
  assert.throws(() => configFromFlags({ ...base, 'rpo-alpha': '-1' }), /rpoAlpha|rpo-alpha/);
  assert.throws(() => configFromFlags({ ...base, 'rpo-alpha': 'lots' }), /rpo-alpha/);
});
