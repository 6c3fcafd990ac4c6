// The validation that gates "Start SFT/DPO run": clinicalFt.phiAsErrors must turn PHI findings into errors
// that stop the flow (the CLI's --phi-errors), not warnings that let the run start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { checkDataset, validateArgs } from '../../../src/host/runs/datasetCheck';
import { TrainerChildren } from '../../../src/host/trainerChildren';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
// A private extension folder holding dist/trainer.js, inside the repository so packages resolve from node_modules.
const extensionPath = path.join(root, 'out', `runs-check-${process.pid}`);
const phiFile = path.join(root, 'datasets-sample', 'defects', 'phi-phone.jsonl');

before(async () => {
  await esbuild.build({ entryPoints: [path.join(root, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(extensionPath, 'dist', 'trainer.js'), packages: 'external', logLevel: 'error' });
});
after(() => fs.rmSync(extensionPath, { recursive: true, force: true }));
const children = new TrainerChildren({ script: path.join(extensionPath, 'dist', 'trainer.js'), nodePath: () => undefined });

test('validate arguments follow the contract and add --phi-errors only when asked', () => {
  assert.deepEqual(validateArgs('/d/a.jsonl', 'dpo'), ['validate', '/d/a.jsonl', '--format', 'dpo', '--json']);
  assert.deepEqual(validateArgs('/d/a.jsonl', 'sft', { phiAsErrors: true }), ['validate', '/d/a.jsonl', '--format', 'sft', '--json', '--phi-errors']);
});

test('PHI is a warning by default and an error that blocks the run with phiAsErrors', async () => {
  const lenient = await checkDataset(children, phiFile, 'sft');
  assert.equal(lenient.kind, 'valid', JSON.stringify(lenient));
  assert.ok(lenient.kind === 'valid' && lenient.warnings > 0);
  const strict = await checkDataset(children, phiFile, 'sft', { phiAsErrors: true });
  assert.equal(strict.kind, 'invalid', JSON.stringify(strict));
  assert.ok(strict.kind === 'invalid' && strict.errors.some((e) => e.line === 2));
});
