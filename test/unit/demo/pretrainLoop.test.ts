// The sample model's pretraining loop on a tiny model: full-parameter training lowers the loss, is
// deterministic, and the folder it describes loads back through the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { parseHfConfig } from '../../../src/trainer/engine/hfConfig';
import { LlamaModel } from '../../../src/trainer/engine/model';
import { loadModel } from '../../../src/trainer/engine';
import { writeSafetensors, type TensorToWrite } from '../../../src/trainer/engine/safetensors';
import { heldOutLoss, pretrain } from '../../../src/trainer/pretrain/pretrainLoop';
import { packWindows } from '../../../src/trainer/pretrain/packedWindows';
import { hfConfigJson, writeModelFiles, type SampleShape } from '../../../src/trainer/pretrain/sampleModelFolder';
import { trainByteLevelBpe } from '../../../src/trainer/pretrain/byteLevelBpe';
import { SPECIAL_TOKENS } from '../../../src/trainer/pretrain/tokenizerFiles';

const shape: SampleShape = { vocabSize: 300, hiddenSize: 16, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: 32, maxPositionEmbeddings: 64 };
const config = parseHfConfig(hfConfigJson(shape, { bos: 0, eos: 1, pad: 2 }), 'config.json');

/** A repeating token pattern a model can learn in a few dozen steps. */
const docs = Array.from({ length: 24 }, (_, d) => [0, ...Array.from({ length: 30 }, (_, i) => 10 + ((i * 7 + d) % 13)), 1]);
const windows = packWindows(docs, 16);

function train(seed: number): { model: LlamaModel; before: number; after: number } {
  const model = new LlamaModel(config, true);
  model.initRandom(seed);
  const before = heldOutLoss(model, windows.slice(0, 8), 4);
  pretrain(model, windows, { steps: 30, batchSize: 4, lr: 1e-2, warmupSteps: 3, weightDecay: 0, seed });
  return { model, before, after: heldOutLoss(model, windows.slice(0, 8), 4) };
}

test('packing cuts the concatenated documents into full windows only', () => {
  const w = packWindows([[1, 2, 3], [4, 5], [6, 7, 8, 9]], 4);
  assert.deepEqual(w.map((x) => [...x]), [[1, 2, 3, 4], [5, 6, 7, 8]]);
});

test('full-parameter pretraining lowers the loss, deterministically', async () => {
  await initBackend('cpu');
  const a = train(3);
  assert.ok(a.after < a.before * 0.6, `loss ${a.before.toFixed(3)} → ${a.after.toFixed(3)}`);
  const b = train(3);
  assert.equal(b.after, a.after, 'same seed, same result');
  a.model.dispose();
  b.model.dispose();
});

test('the written folder (config, tokenizer, weights) loads back through the engine', async () => {
  await initBackend('cpu');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sample-model-'));
  try {
    const bpe = trainByteLevelBpe(['the patient presents with fever and cough', 'the plan is rest and fluids'], shape.vocabSize, SPECIAL_TOKENS);
    writeModelFiles(dir, shape, bpe);
    const model = new LlamaModel(config, true);
    model.initRandom(5);
    const tensors = new Map<string, TensorToWrite>();
    for (const [name, t] of model.baseWeights()) tensors.set(name, { dtype: 'F32', shape: t.shape, data: t.dataSync() as Float32Array });
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    const loaded = await loadModel(dir);
    assert.equal(loaded.config.architecture, 'LlamaForCausalLM');
    assert.equal(loaded.tokenizer.bosId, 0);
    assert.equal(loaded.tokenizer.eosId, 1);
    assert.deepEqual(loaded.tokenizer.encode('the patient').slice(0, 1), [0]);
    assert.ok(loaded.chatTemplate, 'chat template from tokenizer_config.json');
    const ids = tf.tensor2d([[0, 5, 9, 7]], [1, 4], 'int32');
    const lpA = loaded.model.tokenLogprobs(ids).arraySync();
    const lpB = model.tokenLogprobs(ids).arraySync();
    assert.deepEqual(lpA, lpB, 'weights round-trip exactly (F32)');
    loaded.model.dispose();
    model.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
