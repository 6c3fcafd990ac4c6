import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loraScale, readPeftAdapter, writePeftAdapter, type PeftAdapter } from '../../../src/trainer/engine/peft';
import { stackAdapterFolders, stackAdapters } from '../../../src/trainer/engine/stackAdapters';
import { SeededRandom } from '../../../src/trainer/pretrain/seededRandom';

const IN = 6;
const OUT = 5;

function randomAdapter(seed: number, r: number, alpha: number, useRslora: boolean, modules: string[]): PeftAdapter {
  const rnd = new SeededRandom(seed);
  const fill = (n: number) => Float32Array.from({ length: n }, () => rnd.next() * 2 - 1);
  return {
    spec: { r, alpha, dropout: 0, targets: [...new Set(modules.map((m) => m.split('.').pop()!))], useRslora },
    modules: new Map(modules.map((m) => [m, { a: { shape: [r, IN], data: fill(r * IN) }, b: { shape: [OUT, r], data: fill(OUT * r) } }])),
  };
}

/** scale · B·A as a dense [OUT, IN] matrix. */
function delta(a: Float32Array, b: Float32Array, r: number, scale: number): number[] {
  const out = new Array<number>(OUT * IN).fill(0);
  for (let o = 0; o < OUT; o++) for (let i = 0; i < IN; i++) for (let k = 0; k < r; k++) out[o * IN + i] += scale * b[o * r + k] * a[k * IN + i];
  return out;
}

const q = 'model.layers.0.self_attn.q_proj';
const v = 'model.layers.0.self_attn.v_proj';
const up = 'model.layers.1.mlp.up_proj';

test('stacked adapter reproduces the sum of both weight updates, including modules only one adapter has', () => {
  const sft = randomAdapter(1, 4, 16, false, [q, v]);
  const dpo = randomAdapter(2, 2, 8, true, [q, up]);
  const stacked = stackAdapters(sft, dpo);
  assert.equal(stacked.spec.r, 6);
  assert.equal(loraScale(stacked.spec), 1);
  assert.deepEqual(stacked.spec.targets, ['q_proj', 'v_proj', 'up_proj']);
  for (const name of [q, v, up]) {
    const expected = new Array<number>(OUT * IN).fill(0);
    for (const ad of [sft, dpo]) {
      const m = ad.modules.get(name);
      if (m) delta(m.a.data, m.b.data, ad.spec.r, loraScale(ad.spec)).forEach((x, i) => (expected[i] += x));
    }
    const got = delta(stacked.modules.get(name)!.a.data, stacked.modules.get(name)!.b.data, 6, 1);
    got.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-4, `${name}[${i}]: ${x} vs ${expected[i]}`));
  }
});

test('stacking folders writes a PEFT adapter the engine reads back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-'));
  try {
    for (const [sub, ad] of [['sft', randomAdapter(3, 2, 4, false, [q])], ['dpo', randomAdapter(4, 2, 4, false, [q])]] as const) {
      const tensors = new Map<string, Float32Array>();
      const shapes = new Map<string, number[]>();
      for (const [name, m] of ad.modules) {
        tensors.set(`base_model.model.${name}.lora_A.weight`, m.a.data);
        tensors.set(`base_model.model.${name}.lora_B.weight`, m.b.data);
        shapes.set(`base_model.model.${name}.lora_A.weight`, m.a.shape);
        shapes.set(`base_model.model.${name}.lora_B.weight`, m.b.shape);
      }
      writePeftAdapter(path.join(dir, sub), ad.spec, tensors, shapes, 'base');
    }
    stackAdapterFolders(path.join(dir, 'sft'), path.join(dir, 'dpo'), path.join(dir, 'both'), 'base');
    const back = readPeftAdapter(path.join(dir, 'both'));
    assert.equal(back.spec.r, 4);
    assert.equal(back.spec.alpha, 4);
    assert.deepEqual(back.modules.get(q)!.a.shape, [4, IN]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
