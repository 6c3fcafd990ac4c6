// Qwen3 and Gemma 3 against the real library: transformers builds tiny random models with its own config
// classes, saves them (its config.json format, its safetensors) and scores token ids; the engine loads the
// same folders and must agree per token to 1e-4 on every backend. Also Gemma's bf16 embedding scale.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel, SafetensorsFile } from '../../../src/trainer/engine';
import { scaleEmbeddings } from '../../../src/trainer/engine/families/familyOps';
import { tinyTokenizerJson } from '../../fixtures/tinyModel';
import { realPython, runPython } from '../../fixtures/realPython';
import { BACKENDS, engineLogprobs, maxAbsDiff, tempDir } from './helpers';

const TOL = 1e-4;

interface Expected {
  versions: Record<string, string>;
  cases: Record<string, { ids: number[][]; logprobs: (number | null)[][] }>;
  embeddings: { ids: number[]; bf16: number[][] };
}

let built: { dir: string; expected: Expected } | undefined;

/** Builds the models once per run (one Python start, a few seconds). */
function models(py: string): { dir: string; expected: Expected } {
  if (built) return built;
  const dir = tempDir('hf-families');
  const versions = runPython(py, 'hf_families.py', [dir]);
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
  // The engine loads whole folders: give each the byte-level test tokenizer (ids are compared, not text).
  for (const name of [...Object.keys(expected.cases), 'gemma3-bf16']) {
    fs.writeFileSync(path.join(dir, name, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson('bytes').json));
    fs.writeFileSync(path.join(dir, name, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>' }));
  }
  console.log(`# transformers side: ${versions.trim()}`);
  return (built = { dir, expected });
}

for (const backend of BACKENDS) {
  describe(`Qwen3 / Gemma 3 equal transformers (${backend})`, () => {
    before(async () => {
      await initBackend(backend);
    });
    test('log-probs of transformers-built models, per token, within 1e-4', async (t) => {
      const py = realPython(t);
      if (!py) return;
      const { dir, expected } = models(py);
      assert.deepEqual(Object.keys(expected.cases).sort(), ['gemma3', 'gemma3-softcap-untied', 'qwen3', 'qwen3-sliding-bias-tied']);
      for (const [name, c] of Object.entries(expected.cases)) {
        const m = await loadModel(path.join(dir, name));
        try {
          const got = engineLogprobs(m, c.ids);
          const d = Math.max(...c.ids.map((_, b) => maxAbsDiff(got[b], c.logprobs[b])));
          console.log(`# ${backend} ${name}: max |engine − transformers| = ${d.toExponential(2)} over ${c.ids.flat().length} tokens`);
          assert.ok(d < TOL, `${name}: max |engine − transformers| = ${d}`);
        } finally {
          m.model.dispose();
        }
      }
    });
  });
}

test('Gemma 3 bf16 checkpoint: scaled embeddings equal transformers run in bf16, bit for bit', async (t) => {
  const py = realPython(t);
  if (!py) return;
  await initBackend('cpu');
  const { dir, expected } = models(py);
  const st = SafetensorsFile.open(path.join(dir, 'gemma3-bf16', 'model.safetensors'));
  try {
    assert.equal(st.info('model.embed_tokens.weight').dtype, 'BF16');
    const table = st.readFloat32('model.embed_tokens.weight');
    const H = table.shape[1];
    const rows = tf.tensor2d(expected.embeddings.ids.flatMap((id) => Array.from(table.data.subarray(id * H, (id + 1) * H))), [expected.embeddings.ids.length, H]);
    const got = scaleEmbeddings(rows, H, 'BF16').arraySync() as number[][];
    assert.deepEqual(got, expected.embeddings.bf16);
    // The unrounded factor would not match: the check can fail.
    const plain = (tf.mul(rows, Math.sqrt(H)).arraySync() as number[][]).flat();
    assert.ok(plain.some((v, i) => v !== expected.embeddings.bf16.flat()[i]));
  } finally {
    st.close();
  }
});
