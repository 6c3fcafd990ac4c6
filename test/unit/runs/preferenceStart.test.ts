// The start flow's per-method pieces: defaults, review rows, dataset hints, the validation call and the method picker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyReviewEdit, defaultRunConfig as withFitted, reviewFields } from '../../../src/core/runs/runDefaults';
import { fitDefaults } from '../../../src/core/runs/fittedDefaults';
import type { Method } from '../../../src/core/preferences/methods';
import { adapterHints, datasetNameHint, datasetPlaceholder, preferenceMethodItems } from '../../../src/core/preferences/startHints';
import { validateArgs } from '../../../src/host/runs/datasetCheck';

const paths = { model: '/m', data: '/d.jsonl' };
const defaultRunConfig = (method: Method, p: typeof paths) => withFitted(method, p, fitDefaults({ method, parameters: 1e6, maxPositions: 1024, records: 100, lengths: [100, 120] }));

test('defaults per method: SimPO beta 2.0, the others 0.1; methods that adjust an SFT policy learn slower and shorter than SFT, one-stage ORPO as SFT', () => {
  assert.equal(defaultRunConfig('simpo', paths).beta, 2);
  for (const m of ['dpo', 'kto', 'orpo'] as const) assert.equal(defaultRunConfig(m, paths).beta, 0.1);
  const sft = defaultRunConfig('sft', paths);
  for (const m of ['dpo', 'kto', 'simpo'] as const) {
    assert.ok(defaultRunConfig(m, paths).lr < sft.lr, m);
    assert.ok(defaultRunConfig(m, paths).steps! < sft.steps!, m);
  }
  assert.equal(defaultRunConfig('orpo', paths).lr, sft.lr);
  assert.equal(defaultRunConfig('orpo', paths).steps, sft.steps);
});

test("review rows show each method's own knobs, and editing them changes the config", () => {
  const keys = (m: 'kto' | 'orpo' | 'simpo' | 'sft') => reviewFields(defaultRunConfig(m, paths)).map((f) => f.key);
  assert.ok(keys('kto').includes('desirableWeight') && keys('kto').includes('undesirableWeight') && keys('kto').includes('beta'));
  assert.ok(keys('simpo').includes('simpoGamma') && !keys('simpo').includes('loss'));
  assert.deepEqual(reviewFields(defaultRunConfig('orpo', paths)).filter((f) => f.key === 'beta').map((f) => f.label), ['ORPO lambda']);
  assert.ok(!keys('sft').includes('beta'));
  const edited = applyReviewEdit(defaultRunConfig('simpo', paths), 'simpoGamma', '1.1');
  assert.ok(edited.ok && edited.config.simpoGamma === 1.1);
  const bad = applyReviewEdit(defaultRunConfig('kto', paths), 'desirableWeight', '-1');
  assert.ok(!bad.ok && /desirableWeight/.test(bad.message));
});

test('the start flow validates KTO data as KTO (pairs allowed) and ORPO/SimPO data as DPO pairs', () => {
  assert.deepEqual(validateArgs('/d.jsonl', 'kto').slice(0, 4), ['validate', '/d.jsonl', '--format', 'kto']);
  assert.equal(validateArgs('/d.jsonl', 'orpo')[3], 'dpo');
  assert.equal(validateArgs('/d.jsonl', 'simpo')[3], 'dpo');
});

test('method picker and hints: four preference methods; ORPO starts from the base; KTO names its label format', () => {
  assert.deepEqual(preferenceMethodItems().map((i) => i.label), ['DPO', 'KTO', 'ORPO', 'SimPO']);
  assert.match(adapterHints('orpo').none, /base model/);
  assert.match(adapterHints('kto').placeholder, /SFT adapter \(optional\)/);
  assert.match(datasetPlaceholder('kto'), /"label": true\|false/);
  assert.ok(datasetNameHint('kto').test('ward.prefs.jsonl') && !datasetNameHint('sft').test('ward.prefs.jsonl'));
});

test('the TRL engine takes kto, orpo and simpo; from an SFT adapter it refuses a 4-bit base by name (the adapter is merged first)', async () => {
  const { engineRefusals } = await import('../../../src/core/engineSupport');
  const { RunConfig } = await import('../../../src/core/runConfig');
  for (const method of ['kto', 'orpo', 'simpo'] as const) {
    assert.deepEqual(engineRefusals(RunConfig.parse({ method, model: '/m', data: '/d', engine: 'trl', steps: 1 })), [], method);
    const q = engineRefusals(RunConfig.parse({ method, model: '/m', data: '/d', engine: 'trl', steps: 1, adapter: '/a', loadIn4bit: true }));
    assert.deepEqual(q.map((x) => x.field), ['loadIn4bit'], method);
    assert.ok(q[0].message.startsWith(method.toUpperCase()), q[0].message);
    assert.equal(engineRefusals(RunConfig.parse({ method, model: '/m', data: '/d', steps: 1 })).length, 0);
  }
  assert.equal(engineRefusals(RunConfig.parse({ method: 'dpo', model: '/m', data: '/d', engine: 'trl', steps: 1 })).length, 0);
});
