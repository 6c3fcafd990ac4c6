import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadModel, type LoraSpec } from '../../../src/trainer/engine';
import { writeTinyModel, type TinyModelOptions } from '../../fixtures/tinyModel';
import { NaiveLlama } from './naiveReference';
import { engineLogprobs, maxAbsDiff, tempDir, writeRandomAdapter } from './helpers';

export interface ParityCase {
  name: string;
  model: TinyModelOptions;
  adapter?: LoraSpec;
}

/**
 * One parity case: engine log-probs of `texts` equal the float64 reference per token within `tol`, with the case's
 * adapter when it has one — which must change the output, and switched off must give the base model back.
 */
export async function assertParity(c: ParityCase, texts: string[], tol: number, adapterSeed: number): Promise<void> {
  const dir = tempDir('parity');
  await writeTinyModel(dir, c.model);
  const m = await loadModel(dir);
  try {
    const seqs = texts.map((t) => m.tokenizer.encode(t));
    const ref = new NaiveLlama(dir);
    if (c.adapter) {
      const adir = path.join(dir, 'adapter');
      writeRandomAdapter(adir, m.config, c.adapter, adapterSeed);
      await m.model.lora.loadTrainable(adir);
      ref.addAdapter(adir);
    }
    const got = engineLogprobs(m, seqs);
    seqs.forEach((s, b) => {
      const d = maxAbsDiff(got[b], ref.logprobs(s));
      assert.ok(d < tol, `row ${b}: max |engine − reference| = ${d}`);
    });
    if (c.adapter) {
      const base = new NaiveLlama(dir);
      assert.ok(maxAbsDiff(got[0], base.logprobs(seqs[0])) > 1e-2, 'adapter changed nothing');
      m.model.lora.setEnabled(false);
      assert.ok(maxAbsDiff(engineLogprobs(m, seqs)[0], base.logprobs(seqs[0])) < tol, 'disabled adapter still active');
    }
  } finally {
    m.model.dispose();
  }
}
