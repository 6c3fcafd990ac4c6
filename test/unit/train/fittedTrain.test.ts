// `clinical-ft preflight` measures what the review's pre-flight shows, and `clinical-ft train` without
// --steps/--epochs trains with the settings fitted from the same measurements (the review's defaults).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleTrainerCli, runCli, tempDir } from '../engine/helpers';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { PreflightFacts } from '../../../src/core/protocol/preflightFacts';
import { fitDefaults } from '../../../src/core/runs/fittedDefaults';

const tmp = tempDir('cft-fitted-');
const model = path.join(tmp, 'model');
const data = path.join(tmp, 'notes.train.jsonl');
let cli = '';

before(async () => {
  cli = await bundleTrainerCli(`fitted-train-${process.pid}`);
  await writeTinyModel(model, { hidden: 16, layers: 1, heads: 2, kvHeads: 1, intermediate: 32, seed: 3 });
  const rows = Array.from({ length: 12 }, (_, i) => ({ prompt: `Case ${i}: ${'fever and cough '.repeat(1 + (i % 4))}?`, completion: i % 2 ? ' admit' : ' home' }));
  fs.writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(path.dirname(cli), { recursive: true, force: true });
});

test('preflight: every example\'s whole and prompt token counts, the model\'s size and context, memory facts', () => {
  const r = runCli(cli, ['preflight', '--model', model, '--data', data, '--method', 'sft', '--json']);
  assert.equal(r.code, 0, r.err);
  const facts = PreflightFacts.parse(JSON.parse(r.out));
  assert.equal(facts.data.examples.length, 12);
  for (const [line, total, prompt] of facts.data.examples) {
    assert.ok(line >= 1 && prompt > 0 && total > prompt, `line ${line}: ${prompt} prompt tokens of ${total}`);
  }
  // Longer prompts (more repetitions) give longer examples.
  assert.ok(facts.data.examples[3]![1] > facts.data.examples[0]![1]);
  assert.ok(facts.model.parameters > 0 && facts.model.maxPositions > 0);
  const bad = runCli(cli, ['preflight', '--model', model, '--data', path.join(tmp, 'missing.jsonl'), '--method', 'sft', '--json']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /missing\.jsonl/);
  assert.doesNotMatch(bad.err, /\n\s+at /, 'a message, not a stack trace');
});

test('train without --steps/--epochs uses the fitted defaults; a given flag still wins', () => {
  const facts = PreflightFacts.parse(JSON.parse(runCli(cli, ['preflight', '--model', model, '--data', data, '--method', 'sft', '--json']).out));
  const fitted = fitDefaults({ method: 'sft', parameters: facts.model.parameters, maxPositions: facts.model.maxPositions, records: 12, lengths: facts.data.examples.map((e) => e[1]) });
  const out = path.join(tmp, 'run');
  const r = runCli(cli, ['train', '--method', 'sft', '--model', model, '--data', data, '--out', out, '--lr', '0.001', '--backend', 'cpu']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /defaults fitted to the model and data/);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).config;
  assert.equal(config.steps, fitted.steps);
  assert.equal(config.maxLength, fitted.maxLength);
  assert.equal(config.batchSize, fitted.batchSize);
  assert.deepEqual(config.lora.targets, fitted.lora.targets);
  assert.equal(config.lr, 0.001, 'the flag given wins over the fitted lr');
  const explicit = runCli(cli, ['train', '--method', 'sft', '--model', model, '--data', data, '--out', path.join(tmp, 'run2'), '--steps', '2', '--backend', 'cpu']);
  assert.equal(explicit.code, 0, explicit.err);
  assert.doesNotMatch(explicit.out, /defaults fitted/, 'a command that gives the length keeps the schema defaults');
});
