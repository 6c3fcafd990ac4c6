import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { generate, loadModel, sampleToken, type LoadedModel } from '../../../src/trainer/engine';
import { mulberry32 } from '../../../src/trainer/engine/random';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { BACKENDS, tempDir } from './helpers';

/** Greedy decoding by recomputing the whole sequence each step (no cache). */
function greedyNoCache(m: LoadedModel, prompt: number[], n: number): number[] {
  const ids = [...prompt];
  for (let i = 0; i < n; i++) {
    const next = tf.tidy(() => tf.argMax(tf.squeeze(tf.slice(m.model.logits(tf.tensor2d([ids], undefined, 'int32')), [0, ids.length - 1, 0], [1, 1, -1]))).dataSync()[0]);
    ids.push(next);
  }
  return ids.slice(prompt.length);
}

for (const backend of BACKENDS) {
  describe(`generation (${backend})`, () => {
    let m: LoadedModel;
    before(async () => {
      await initBackend(backend);
      const dir = tempDir('gen');
      await writeTinyModel(dir, { arch: 'qwen2', seed: 8 });
      m = await loadModel(dir);
    });

    test('greedy with the KV cache equals recomputing from scratch', async () => {
      const prompt = m.tokenizer.encode('Patient reports');
      const r = await generate(m, prompt, { maxNewTokens: 12, temperature: 0, topP: 1, seed: 0, stopIds: [] });
      assert.equal(r.stoppedAt, 'length');
      assert.deepEqual(r.ids, greedyNoCache(m, prompt, 12));
    });

    test('sampling is reproducible per seed, streams text and stops at a stop id', async () => {
      const prompt = m.tokenizer.encode('Plan:');
      const opts = { maxNewTokens: 10, temperature: 1.5, topP: 0.9, seed: 42, stopIds: [] };
      const a = await generate(m, prompt, opts);
      const b = await generate(m, prompt, opts);
      const c = await generate(m, prompt, { ...opts, seed: 43 });
      assert.deepEqual(a.ids, b.ids);
      assert.notDeepEqual(a.ids, c.ids);
      let streamed = '';
      const tokens: number[] = [];
      const s = await generate(m, prompt, { ...opts, onToken: (id, text) => (tokens.push(id), (streamed += text)) });
      assert.deepEqual(tokens.slice(0, a.ids.length), a.ids);
      assert.equal(streamed, s.text);
      const stop = await generate(m, prompt, { ...opts, stopIds: [a.ids[3]] });
      assert.equal(stop.stoppedAt, 'eos');
      assert.ok(stop.ids.length <= 3);
      assert.ok(!stop.ids.includes(a.ids[3]));
      streamed = '';
      const s2 = await generate(m, prompt, { ...opts, stopIds: [a.ids[3]], onToken: (_id, text) => (streamed += text) });
      assert.equal(streamed, s2.text);
    });

    test('an aborted signal stops generation', async () => {
      const ac = new AbortController();
      const r = await generate(m, [0, 5], { maxNewTokens: 50, temperature: 0, topP: 1, seed: 0, stopIds: [], signal: ac.signal, onToken: () => ac.abort() });
      assert.equal(r.stoppedAt, 'aborted');
      assert.equal(r.ids.length, 1);
    });
  });
}

test('sampleToken: greedy, top-p keeps the nucleus only', () => {
  const logits = Float32Array.from([0, 3, 1, 2.9]);
  assert.equal(sampleToken(logits, 0, 1, Math.random), 1);
  const rand = mulberry32(1);
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) seen.add(sampleToken(logits, 1, 0.5, rand));
  assert.deepEqual([...seen].sort(), [1, 3]);
  const all = new Set<number>();
  for (let i = 0; i < 2000; i++) all.add(sampleToken(logits, 1, 1, rand));
  assert.equal(all.size, 4);
});
