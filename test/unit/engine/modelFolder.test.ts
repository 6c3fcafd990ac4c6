import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel } from '../../../src/trainer/engine';
import { encodeSafetensors, SafetensorsFile, type TensorToWrite } from '../../../src/trainer/engine/safetensors';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { tempDir } from './helpers';

function editJson(file: string, edit: (j: Record<string, unknown>) => void): void {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(j);
  fs.writeFileSync(file, JSON.stringify(j));
}

/** Rewrites model.safetensors without one tensor (or with a changed one). */
function rewriteWeights(dir: string, change: (m: Map<string, TensorToWrite>) => void): void {
  const file = path.join(dir, 'model.safetensors');
  const f = SafetensorsFile.open(file);
  const m = new Map<string, TensorToWrite>();
  for (const name of f.tensors.keys()) {
    const t = f.readFloat32(name);
    m.set(name, { dtype: 'F32', shape: t.shape, data: t.data.slice() });
  }
  f.close();
  change(m);
  fs.writeFileSync(file, encodeSafetensors(m));
}

describe('model folders', () => {
  before(async () => {
    await initBackend('wasm');
  });

  test('a real-model-shaped folder loads: sharded BF16, byte-level BPE with BOS, chat template, generation config', async () => {
    const dir = tempDir('real');
    await writeTinyModel(dir, { arch: 'qwen2', dtype: 'BF16', shards: 2, tie: true });
    const m = await loadModel(dir);
    try {
      assert.equal(m.config.architecture, 'Qwen2ForCausalLM');
      assert.equal(m.config.attentionBias, true);
      assert.equal(m.config.tieWordEmbeddings, true);
      assert.deepEqual(m.config.eosTokenIds, [1]);
      const ids = m.tokenizer.encode('Hé!');
      assert.deepEqual(ids, [0, 3 + 72, 3 + 0xc3, 3 + 0xa9, 3 + 33]); // BOS + UTF-8 bytes
      assert.deepEqual(m.tokenizer.encode('Hé!', { addSpecialTokens: false }), ids.slice(1));
      assert.equal(m.tokenizer.decode(ids, { skipSpecialTokens: true }), 'Hé!');
      assert.equal(m.tokenizer.decode(ids), '<s>Hé!');
      assert.equal(m.tokenizer.eosId, 1);
      assert.equal(m.tokenizer.padId, 2);
      assert.equal(m.tokenizer.bosId, 0);
      assert.equal(
        m.chatTemplate?.render([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], { addGenerationPrompt: true }),
        '<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\n',
      );
      assert.deepEqual(m.generationConfig, { bos_token_id: 0, eos_token_id: 1 });
    } finally {
      m.model.dispose();
    }
  });

  test('a WordLevel tokenizer with a TemplateProcessing post-processor adds BOS', async () => {
    const dir = tempDir('wl');
    await writeTinyModel(dir, { tokenizer: 'wordlevel', chatTemplate: false });
    const m = await loadModel(dir);
    try {
      assert.deepEqual(m.tokenizer.encode('Patient presents with zebra'), [0, 4, 5, 6, 3]);
      assert.equal(m.chatTemplate, undefined);
    } finally {
      m.model.dispose();
    }
  });

  test('unknown architecture names config.json and the key', async () => {
    const dir = tempDir('arch');
    await writeTinyModel(dir);
    editJson(path.join(dir, 'config.json'), (j) => (j.architectures = ['GPT2LMHeadModel']));
    await assert.rejects(loadModel(dir), (e: Error) => e.message.includes(path.join(dir, 'config.json')) && e.message.includes('"architectures"') && e.message.includes('GPT2LMHeadModel'));
  });

  test('bad config values name the key', async () => {
    const dir = tempDir('cfg');
    await writeTinyModel(dir);
    editJson(path.join(dir, 'config.json'), (j) => (j.hidden_size = 'big'));
    await assert.rejects(loadModel(dir), /config\.json: key "hidden_size" must be a positive integer/);
  });

  test('absurd config.json sizes are refused naming the file and the key, before anything is allocated', async () => {
    const dir = tempDir('absurd');
    await writeTinyModel(dir);
    const file = path.join(dir, 'config.json');
    const original = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const [key, value] of [['num_hidden_layers', 1e7], ['hidden_size', 1e9], ['vocab_size', 1e12], ['intermediate_size', 2 ** 40], ['num_attention_heads', 1e6], ['max_position_embeddings', 1e15]] as const) {
      fs.writeFileSync(file, JSON.stringify({ ...original, [key]: value }));
      const heap = process.memoryUsage().heapUsed;
      await assert.rejects(loadModel(dir), (e: Error) => e.message.includes(file) && e.message.includes(`"${key}"`) && /above/.test(e.message), key);
      assert.ok(process.memoryUsage().heapUsed - heap < 64 * 2 ** 20, `${key}: refused without growing the heap`);
    }
  });

  test('config.json sizes within the limits but not backed by the weights are refused from the safetensors header: no tensor data is read, no tensor created', async () => {
    const dir = tempDir('unbacked');
    await writeTinyModel(dir);
    const file = path.join(dir, 'config.json');
    const original = JSON.parse(fs.readFileSync(file, 'utf8'));
    const weights = path.join(dir, 'model.safetensors');
    const headerBytes = 8 + Number(fs.readFileSync(weights).readBigUInt64LE(0));
    const tf = await import('@tensorflow/tfjs');
    // The engine reads weights with fs.readSync: count what it reads.
    const realFs = require('node:fs') as typeof fs;
    const readSync = realFs.readSync;
    let bytesRead = 0;
    realFs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
      const n = (readSync as (...a: unknown[]) => number)(...args);
      bytesRead += n;
      return n;
    }) as typeof fs.readSync;
    try {
      for (const [key, value, tensor] of [['num_hidden_layers', 1000, 'model.layers.2.input_layernorm.weight'], ['vocab_size', 2 ** 22, 'model.embed_tokens.weight'], ['intermediate_size', 2 ** 19, 'model.layers.0.mlp.gate_proj.weight']] as const) {
        fs.writeFileSync(file, JSON.stringify({ ...original, [key]: value }));
        const tensors = tf.memory().numTensors;
        bytesRead = 0;
        await assert.rejects(loadModel(dir), (e: Error) => e.message.includes(`"${tensor}"`), key);
        assert.ok(bytesRead <= headerBytes, `${key}: read ${bytesRead} bytes, only the ${headerBytes}-byte header was needed`);
        assert.equal(tf.memory().numTensors, tensors, `${key}: no tensor was created`);
      }
    } finally {
      realFs.readSync = readSync;
    }
  });

  test('unsupported rope scaling, activation or MLP bias are named', async () => {
    const dir = tempDir('rope');
    await writeTinyModel(dir);
    const file = path.join(dir, 'config.json');
    editJson(file, (j) => (j.rope_scaling = { rope_type: 'yarn', factor: 4 }));
    await assert.rejects(loadModel(dir), /config\.json: key "rope_scaling" .*yarn.* is not supported/);
    editJson(file, (j) => (j.rope_scaling = { rope_type: 'llama3', factor: 8 }));
    await assert.rejects(loadModel(dir), /rope_scaling" .* needs a positive number "low_freq_factor"/);
    editJson(file, (j) => {
      j.rope_scaling = null;
      j.hidden_act = 'gelu';
    });
    await assert.rejects(loadModel(dir), /key "hidden_act" is "gelu"/);
    editJson(file, (j) => {
      j.hidden_act = 'silu';
      j.mlp_bias = true;
    });
    await assert.rejects(loadModel(dir), /key "mlp_bias" true is not supported/);
  });

  test('a missing tensor names the file and the key', async () => {
    const dir = tempDir('missing');
    await writeTinyModel(dir);
    rewriteWeights(dir, (m) => m.delete('model.layers.1.mlp.up_proj.weight'));
    await assert.rejects(loadModel(dir), (e: Error) => e.message.includes(dir) && e.message.includes('"model.layers.1.mlp.up_proj.weight"') && e.message.includes('missing'));
  });

  test('a tensor of the wrong shape names the file and the key', async () => {
    const dir = tempDir('shape');
    await writeTinyModel(dir);
    rewriteWeights(dir, (m) => m.set('model.norm.weight', { dtype: 'F32', shape: [3], data: new Float32Array(3) }));
    await assert.rejects(loadModel(dir), (e: Error) => e.message.includes(path.join(dir, 'model.safetensors')) && e.message.includes('"model.norm.weight"') && e.message.includes('[3]'));
  });

  test('a shard listed in the index but absent, or escaping the folder, is a clear error', async () => {
    const dir = tempDir('shards');
    await writeTinyModel(dir, { shards: 2 });
    const index = path.join(dir, 'model.safetensors.index.json');
    fs.rmSync(path.join(dir, 'model-00002-of-00002.safetensors'));
    await assert.rejects(loadModel(dir), /model-00002-of-00002\.safetensors: cannot open \(ENOENT\)/);
    editJson(index, (j) => ((j.weight_map as Record<string, string>)['model.norm.weight'] = '../../etc/passwd.safetensors'));
    await assert.rejects(loadModel(dir), /weight_map\.model\.norm\.weight" names an invalid shard/);
  });

  test('an empty or missing folder is a clear error', async () => {
    await assert.rejects(loadModel(path.join(tempDir('none'), 'nope')), /model folder not found/);
    const dir = tempDir('empty');
    await assert.rejects(loadModel(dir), /not a Hugging Face model folder \(no config\.json\)/);
  });
});
