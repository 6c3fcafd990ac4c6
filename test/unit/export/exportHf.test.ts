// `export --format hf`: the merged folder loads in our engine and scores as base + adapter did.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { tempDir, writeRandomAdapter, maxAbsDiff } from '../engine/helpers';
import { initBackend } from '../../../src/trainer/backend';
import { readHfConfig } from '../../../src/trainer/engine/hfConfig';
import { loadWithAdapter, scoreTokens } from '../../../src/trainer/engine/scoring';
import { exportModel } from '../../../src/trainer/export/exportModel';
import { SafetensorsFile } from '../../../src/trainer/engine/safetensors';
import { WeightSource } from '../../../src/trainer/engine/weightSource';

const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const IDS = [0, 40, 71, 90, 33, 120, 7, 64, 200, 18, 55, 99];

async function score(model: string, adapter?: string): Promise<(number | null)[]> {
  const m = await loadWithAdapter(model, adapter);
  try {
    return scoreTokens(m, IDS).logprobs;
  } finally {
    m.model.dispose();
  }
}

describe('export --format hf', () => {
  let root = '';
  let model = '';
  let adapter = '';
  let reference: (number | null)[] = [];
  let adapterEffect = 0;
  before(async () => {
    await initBackend('cpu');
    root = tempDir('export-hf');
    model = path.join(root, 'model');
    await writeTinyModel(model, { arch: 'llama', dtype: 'BF16', shards: 2, hidden: 64, heads: 4, kvHeads: 2, intermediate: 96, layers: 2, seed: 11 });
    adapter = path.join(root, 'adapter');
    writeRandomAdapter(adapter, readHfConfig(model), { r: 4, alpha: 8, dropout: 0, targets: ALL, useRslora: false }, 5);
    reference = await score(model, adapter);
    const base = await score(model);
    // The adapter must change the scores, or a test that ignores it would pass too.
    adapterEffect = maxAbsDiff(reference, base);
    assert.ok(adapterEffect > 0.5, `adapter moves log-probs by ${adapterEffect}`);
  });

  test('f32: the merged folder scores as base + adapter to float32 precision; sharded with an index', async () => {
    const out = path.join(root, 'merged-f32');
    const progress: number[] = [];
    const r = await exportModel({ model, adapter, out, format: 'hf', dtype: 'f32', maxShardBytes: 200_000, onProgress: (p) => progress.push(p.done) });
    assert.equal(r.mergedTensors, 2 * ALL.length);
    const index = JSON.parse(fs.readFileSync(path.join(out, 'model.safetensors.index.json'), 'utf8'));
    const shards = [...new Set(Object.values(index.weight_map as Record<string, string>))].sort();
    assert.ok(shards.length > 1, `shards: ${shards}`);
    assert.ok(shards.every((s, i) => s === `model-0000${i + 1}-of-0000${shards.length}.safetensors`));
    assert.equal(Object.keys(index.weight_map).length, new WeightSource(model).keys().length);
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).torch_dtype, 'float32');
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'tokenizer_config.json'), 'utf8')).chat_template, JSON.parse(fs.readFileSync(path.join(model, 'tokenizer_config.json'), 'utf8')).chat_template);
    assert.equal(progress.length, Object.keys(index.weight_map).length);
    const merged = await score(out);
    const d = maxAbsDiff(merged, reference);
    console.log(`hf f32 export: max |Δ log-prob| vs base + adapter = ${d.toExponential(2)}`);
    assert.ok(d < 1e-4, `max diff ${d}`);
  });

  test('bf16 (the base dtype, the default): within bf16 rounding of the merged weights; untouched tensors copied bit for bit', async () => {
    const out = path.join(root, 'merged-bf16');
    await exportModel({ model, adapter, out, format: 'hf' });
    assert.ok(fs.existsSync(path.join(out, 'model.safetensors')));
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).torch_dtype, 'bfloat16');
    const src = new WeightSource(model);
    const dst = SafetensorsFile.open(path.join(out, 'model.safetensors'));
    try {
      for (const key of ['model.embed_tokens.weight', 'model.layers.0.input_layernorm.weight']) {
        assert.equal(dst.info(key).dtype, 'BF16');
        assert.deepEqual(Buffer.from(dst.readBytes(key)), Buffer.from(src.readStored(key, src.infoOf(key).shape).bytes), key);
      }
    } finally {
      src.close();
      dst.close();
    }
    const d = maxAbsDiff(await score(out), reference);
    console.log(`hf bf16 export: max |Δ log-prob| vs base + adapter = ${d.toExponential(2)} (the adapter itself moves them by ${adapterEffect.toFixed(2)})`);
    // bf16 keeps 8 significant bits: every merged weight moves by up to 2^-9 relative (0.2 %), and this test's
    // adapter is large (it moves log-probs by > 0.5), so the rounding shows at the 1e-2 level. A missing,
    // halved or doubled adapter moves them by at least half the adapter's effect.
    assert.ok(d < 0.05 && d < adapterEffect / 10, `max diff ${d}`);
  });

  test('a cancel leaves no output folder and no staging folder', async () => {
    const out = path.join(root, 'cancelled');
    const abort = new AbortController();
    await assert.rejects(
      exportModel({ model, adapter, out, format: 'hf', signal: abort.signal, onProgress: (p) => p.done === 3 && abort.abort() }),
      /export cancelled/,
    );
    assert.ok(!fs.existsSync(out));
    assert.deepEqual(fs.readdirSync(root).filter((n) => n.includes('cancelled')), []);
  });

  test('refusals name what cannot be exported, before any output exists', async () => {
    const out = path.join(root, 'refused');
    await assert.rejects(exportModel({ model, adapter, out, format: 'hf', quant: 'q8_0' }), /--quant applies to --format gguf only/);
    await assert.rejects(exportModel({ model, adapter, out, format: 'gguf', quant: 'q4_k' }), /--quant q4_k is not written here \(supported: q8_0\)/);
    const gemma = path.join(root, 'gemma');
    await writeTinyModel(gemma, { arch: 'gemma3', hidden: 32, heads: 2, kvHeads: 1, headDim: 16, layers: 1, intermediate: 32 });
    await assert.rejects(exportModel({ model: gemma, out, format: 'gguf' }), /Gemma3ForCausalLM cannot be exported to GGUF here/);
    const other = path.join(root, 'other');
    await writeTinyModel(other, { arch: 'llama', hidden: 32, heads: 2, kvHeads: 2, layers: 2, intermediate: 48 });
    await assert.rejects(exportModel({ model: other, adapter, out, format: 'hf' }), /adapter module "model\.layers\.0\.mlp\.down_proj" is \[64, 96\] but the base tensor .* is \[32, 48\] \(an adapter for another model\?\)/);
    fs.mkdirSync(path.join(root, 'occupied'));
    fs.writeFileSync(path.join(root, 'occupied', 'keep.txt'), 'x');
    await assert.rejects(exportModel({ model, adapter, out: path.join(root, 'occupied'), format: 'hf' }), /already exists and is not an empty folder/);
    assert.ok(!fs.existsSync(out));
    assert.equal(fs.readFileSync(path.join(root, 'occupied', 'keep.txt'), 'utf8'), 'x');
  });
});
