import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, LlamaModel } from '../../../src/trainer/engine';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { BACKENDS, tempDir } from './helpers';

for (const backend of BACKENDS) {
  test(`trainableBase: every base weight, embeddings included, gets a gradient and training lowers the loss (${backend})`, async () => {
    await initBackend(backend);
    const dir = tempDir('base');
    await writeTinyModel(dir, { arch: 'qwen2', tie: true, layers: 1, seed: 9 });
    const m = await loadModel(dir, { trainableBase: true });
    try {
      const model = m.model as LlamaModel;
      const vars = model.baseVariables();
      assert.equal(vars.length, 1 + 12 + 1); // embeddings (tied head), one layer with q/k/v biases, final norm
      assert.ok(vars.every((v) => v.trainable && v.name.startsWith('base/')));
      const ids = tf.tensor2d([m.tokenizer.encode('chest pain and fever'), m.tokenizer.encode('no chest pain, fever')].map((r) => r.slice(0, 12)), undefined, 'int32');
      const loss = () => tf.neg(tf.mean(m.model.tokenLogprobs(ids, undefined, { training: true }))) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss, vars);
      for (const v of vars) assert.ok(grads[v.name].dataSync().some((x) => x !== 0), `no gradient for ${v.name}`);
      const before = value.dataSync()[0];
      tf.dispose([value, grads]);
      const opt = tf.train.adam(1e-2);
      for (let i = 0; i < 5; i++) opt.minimize(loss, false, vars);
      const after = loss().dataSync()[0];
      assert.ok(after < before - 0.1, `loss ${before} → ${after}`);
      opt.dispose();
      ids.dispose();
    } finally {
      m.model.dispose();
    }
  });
}
