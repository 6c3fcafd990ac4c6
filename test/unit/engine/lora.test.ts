import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, SafetensorsFile, type LoadedModel } from '../../../src/trainer/engine';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { BACKENDS, tempDir, writeRandomAdapter } from './helpers';

const SPEC = { r: 4, alpha: 8, dropout: 0.05, targets: ['q_proj', 'v_proj'], useRslora: false };

async function tiny(): Promise<LoadedModel> {
  const dir = tempDir('lora');
  await writeTinyModel(dir, { seed: 3 });
  return loadModel(dir);
}

function sumLogprobs(m: LoadedModel, training = false): tf.Scalar {
  const ids = tf.tensor2d([m.tokenizer.encode('chest pain'), m.tokenizer.encode('no fever!!')], undefined, 'int32');
  return tf.sum(m.model.tokenLogprobs(ids, undefined, { training }));
}

describe('LoRA adapters', () => {
  before(async () => {
    await initBackend('wasm');
  });

  test('attach: PEFT init, stable names and order, deterministic per seed', async () => {
    const m = await tiny();
    try {
      m.model.lora.attach(SPEC, 7);
      const vars = m.model.lora.trainableVariables();
      assert.deepEqual(
        vars.map((v) => v.name),
        [0, 1].flatMap((l) => ['q_proj', 'v_proj'].flatMap((t) => ['A', 'B'].map((w) => `base_model.model.model.layers.${l}.self_attn.${t}.lora_${w}.weight`))),
      );
      assert.deepEqual(vars[0].shape, [4, 32]);
      assert.deepEqual(vars[3].shape, [16, 4]); // v_proj B: [kvHeads·headDim, r]
      const a = vars[0].dataSync();
      assert.ok(a.every((x) => Math.abs(x) <= 1 / Math.sqrt(32)) && a.some((x) => x !== 0));
      assert.ok(vars[1].dataSync().every((x) => x === 0));
      const first = m.model.lora.getState();
      m.model.lora.attach(SPEC, 7);
      assert.deepEqual(m.model.lora.getState(), first);
      m.model.lora.attach(SPEC, 8);
      assert.notDeepEqual(m.model.lora.getState(), first);
      assert.equal(m.model.lora.trainableVariables().length, 8);
    } finally {
      m.model.dispose();
    }
  });

  test('save writes PEFT format; loadTrainable reads it back exactly', async () => {
    const m = await tiny();
    try {
      m.model.lora.attach({ ...SPEC, useRslora: true }, 1);
      const state = m.model.lora.getState();
      for (const [k, v] of state) state.set(k, v.map((x, i) => x + i * 1e-3));
      m.model.lora.setState(state);
      const dir = path.join(tempDir('save'), 'adapter');
      await m.model.lora.save(dir, '/models/tiny');
      const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8'));
      assert.equal(cfg.peft_type, 'LORA');
      assert.equal(cfg.task_type, 'CAUSAL_LM');
      assert.equal(cfg.r, 4);
      assert.equal(cfg.lora_alpha, 8);
      assert.equal(cfg.lora_dropout, 0.05);
      assert.deepEqual(cfg.target_modules, ['q_proj', 'v_proj']);
      assert.equal(cfg.bias, 'none');
      assert.equal(cfg.use_rslora, true);
      assert.equal(cfg.fan_in_fan_out, false);
      assert.equal(cfg.base_model_name_or_path, '/models/tiny');
      assert.equal(cfg.inference_mode, true);
      const st = SafetensorsFile.open(path.join(dir, 'adapter_model.safetensors'));
      assert.deepEqual([...st.tensors.keys()].sort(), [...state.keys()].sort());
      assert.deepEqual(st.info('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight').shape, [32, 4]);
      st.close();
      assert.deepEqual(fs.readdirSync(dir).sort(), ['adapter_config.json', 'adapter_model.safetensors']);

      const before = (await sumLogprobs(m).data())[0];
      m.model.lora.attach(SPEC, 99);
      const spec = await m.model.lora.loadTrainable(dir);
      assert.deepEqual(spec, { r: 4, alpha: 8, dropout: 0.05, targets: ['q_proj', 'v_proj'], useRslora: true });
      assert.deepEqual(m.model.lora.getState(), state);
      assert.equal((await sumLogprobs(m).data())[0], before);
    } finally {
      m.model.dispose();
    }
  });

  test('adapter_config.json: unknown keys and missing optional keys are tolerated, unsupported ones named', async () => {
    const m = await tiny();
    try {
      const dir = path.join(tempDir('cfg'), 'a');
      writeRandomAdapter(dir, m.config, { r: 2, alpha: 4, dropout: 0, targets: ['k_proj'], useRslora: false }, 1);
      const file = path.join(dir, 'adapter_config.json');
      fs.writeFileSync(file, JSON.stringify({ r: 2, lora_alpha: 4, target_modules: ['k_proj'], some_future_key: { x: 1 }, megatron_config: null }));
      const spec = await m.model.lora.loadTrainable(dir);
      assert.deepEqual(spec, { r: 2, alpha: 4, dropout: 0, targets: ['k_proj'], useRslora: false });
      fs.writeFileSync(file, JSON.stringify({ r: 2, lora_alpha: 4, bias: 'all' }));
      await assert.rejects(m.model.lora.loadTrainable(dir), (e: Error) => e.message.includes(file) && e.message.includes('"bias"'));
      fs.writeFileSync(file, JSON.stringify({ r: 3, lora_alpha: 4 }));
      await assert.rejects(m.model.lora.loadTrainable(dir), /do not match r=3/);
      await assert.rejects(m.model.lora.loadTrainable(path.join(dir, 'nope')), /adapter_config\.json: cannot read/);
      // A failed load leaves the previous adapter in place.
      assert.equal(m.model.lora.spec?.r, 2);
    } finally {
      m.model.dispose();
    }
  });

  test('an adapter for another model shape is refused with the key', async () => {
    const m = await tiny();
    const otherDir = tempDir('other');
    await writeTinyModel(otherDir, { hidden: 48, heads: 4, kvHeads: 2 });
    const other = await loadModel(otherDir);
    try {
      const dir = path.join(tempDir('mismatch'), 'a');
      writeRandomAdapter(dir, other.config, { r: 2, alpha: 4, dropout: 0, targets: ['q_proj'], useRslora: false }, 1);
      await assert.rejects(m.model.lora.fold(dir), /lora_A\.weight" \[2,48\].*do not fit the base layer \[32, 32\]/);
    } finally {
      m.model.dispose();
      other.model.dispose();
    }
  });

  for (const backend of BACKENDS) {
    test(`gradients reach every LoRA variable and match finite differences (${backend})`, async () => {
      await initBackend(backend);
      const m = await tiny();
      try {
        m.model.lora.attach({ ...SPEC, dropout: 0 }, 5);
        // Non-zero B so A receives gradient too.
        const state = m.model.lora.getState();
        for (const [k, v] of state) if (k.includes('lora_B')) state.set(k, v.map((_, i) => Math.sin(i) * 0.1));
        m.model.lora.setState(state);
        const { value, grads } = tf.variableGrads(() => sumLogprobs(m), m.model.lora.trainableVariables());
        assert.equal(Object.keys(grads).length, 8);
        for (const [name, g] of Object.entries(grads)) assert.ok(g.dataSync().some((x) => x !== 0), `zero gradient for ${name}`);
        // Finite differences on one element of one B.
        const v = m.model.lora.trainableVariables()[1];
        const g = grads[v.name].dataSync()[5];
        const eps = 1e-2;
        const orig = v.dataSync().slice();
        const bump = (d: number) => {
          const x = orig.slice();
          x[5] += d;
          v.assign(tf.tensor(x, v.shape));
          return sumLogprobs(m).dataSync()[0];
        };
        const fd = (bump(eps) - bump(-eps)) / (2 * eps);
        assert.ok(Math.abs(fd - g) < 2e-2 * Math.max(1, Math.abs(g)), `analytic ${g} vs numeric ${fd}`);
        value.dispose();
        // Dropout only in training mode, and then it changes the result.
        m.model.lora.setState(state);
        const a = sumLogprobs(m).dataSync()[0];
        assert.equal(sumLogprobs(m).dataSync()[0], a);
        m.model.lora.attach({ ...SPEC, dropout: 0.5 }, 5);
        m.model.lora.setState(state);
        assert.equal(sumLogprobs(m).dataSync()[0], a);
        assert.notEqual(sumLogprobs(m, true).dataSync()[0], a);
      } finally {
        m.model.dispose();
      }
    });
  }
});
