// Gradient checkpointing: recomputing each layer in the backward pass gives the same loss and LoRA gradients
// (dropout masks replayed) and holds less memory at the peak than keeping every layer's activations.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, LlamaModel, type LoadedModel } from '../../../src/trainer/engine';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { tempDir } from './helpers';

/** Loss, gradients, and the bytes the forward pass leaves for the backward pass (tf.profile cannot nest custom ops). */
function step(m: LoadedModel, ids: tf.Tensor2D, mask: tf.Tensor2D): { loss: number; grads: Float32Array[]; held: number } {
  const vars = m.model.lora.trainableVariables();
  const start = tf.memory().numBytes;
  let held = 0;
  const { value, grads } = tf.variableGrads(() => {
    const loss = tf.neg(tf.sum(tf.mul(m.model.tokenLogprobs(ids, mask, { training: true }), mask))) as tf.Scalar;
    held = tf.memory().numBytes - start;
    return loss;
  }, vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array), held };
  tf.dispose([value, grads]);
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`gradient checkpointing on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });

    test('same loss and gradients as keeping the activations, with LoRA dropout, and less held for the backward pass', async () => {
      const dir = tempDir('recompute');
      await writeTinyModel(dir, { arch: 'qwen2', hidden: 64, intermediate: 256, layers: 3, heads: 4, kvHeads: 2, seed: 51 });
      const m = await loadModel(dir);
      try {
        m.model.lora.attach({ r: 4, alpha: 8, dropout: 0.2, targets: ['q_proj', 'v_proj', 'o_proj', 'down_proj'], useRslora: false }, 7);
        const st = m.model.lora.getState();
        for (const [k, v] of st) if (k.includes('lora_B')) st.set(k, v.map((_, i) => Math.cos(i) * 0.2));
        m.model.lora.setState(st);
        const seqs = ['chest pain radiating to the left arm since this morning', 'refill of lisinopril, no new symptoms today'].map((t) => m.tokenizer.encode(t));
        const T = Math.min(...seqs.map((s) => s.length));
        const ids = tf.tensor2d(seqs.map((s) => s.slice(0, T)), undefined, 'int32');
        const mask = tf.tensor2d([Array(T).fill(1), [...Array(T - 4).fill(1), 0, 0, 0, 0]]);
        const model = m.model as LlamaModel;
        const cursor = (m.model.lora as unknown as { dropoutCursor(): number }).dropoutCursor();
        const setCursor = (c: number) => (m.model.lora as unknown as { setDropoutCursor(c: number): void }).setDropoutCursor(c);
        const kept = step(m, ids, mask);
        setCursor(cursor);
        model.gradientCheckpointing = true;
        const re = step(m, ids, mask);
        model.gradientCheckpointing = false;
        assert.ok(Math.abs(kept.loss - re.loss) < 1e-5 * Math.max(1, Math.abs(kept.loss)), `loss ${kept.loss} vs ${re.loss}`);
        kept.grads.forEach((g, i) => {
          assert.ok(g.some((x) => x !== 0));
          g.forEach((v, j) => assert.ok(Math.abs(v - re.grads[i][j]) < 1e-5 * Math.max(1, Math.abs(v)), `grad ${i}[${j}]: ${v} vs ${re.grads[i][j]}`));
        });
        // Only the first layers recomputed (the pre-flight's partial choice): the same numbers again.
        setCursor(cursor);
        model.setGradientCheckpointing(true, 2);
        const part = step(m, ids, mask);
        model.setGradientCheckpointing(false);
        assert.ok(Math.abs(kept.loss - part.loss) < 1e-5 * Math.max(1, Math.abs(kept.loss)), `loss ${kept.loss} vs ${part.loss} (2 of 3 layers recomputed)`);
        kept.grads.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(v - part.grads[i][j]) < 1e-5 * Math.max(1, Math.abs(v)), `grad ${i}[${j}] (2 layers): ${v} vs ${part.grads[i][j]}`)));
        assert.ok(part.held > re.held && part.held < kept.held, `held ${part.held} B with 2 of 3 layers recomputed vs ${re.held} (all) and ${kept.held} (none)`);
        // Without replaying the dropout masks the recomputed gradients would differ: the masks really matter.
        setCursor(cursor + 12345);
        model.gradientCheckpointing = true;
        const other = step(m, ids, mask);
        model.gradientCheckpointing = false;
        assert.ok(Math.abs(other.loss - kept.loss) > 1e-4, 'dropout had no effect');
        assert.ok(re.held < kept.held * 0.5, `the checkpointed forward leaves ${re.held} B for the backward pass vs ${kept.held} B`);
        tf.dispose([ids, mask]);
      } finally {
        m.model.dispose();
      }
    });
  });
}
