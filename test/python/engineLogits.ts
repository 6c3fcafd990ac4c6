// Our engine's full-vocabulary log-softmax at every position of a token sequence, for the export stage to
// compare with llama.cpp. Usage: node engineLogits.js MODEL ADAPTER|- IDS_JSON TEXT
// → {"logprobs": [[...], ...], "tokens": our tokenizer's ids of TEXT}
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/trainer/backend';
import { loadWithAdapter } from '../../src/trainer/engine/scoring';

async function main(model: string, adapter: string, idsJson: string, text: string): Promise<void> {
  await initBackend('cpu');
  const ids = JSON.parse(idsJson) as number[];
  const m = await loadWithAdapter(model, adapter === '-' ? undefined : adapter);
  const lp = tf.tidy(() => tf.logSoftmax(m.model.logits(tf.tensor2d([ids], [1, ids.length], 'int32')).squeeze([0])));
  const rows = (await lp.array()) as number[][];
  m.model.dispose();
  process.stdout.write(`${JSON.stringify({ logprobs: rows, tokens: m.tokenizer.encode(text) })}\n`);
}

main(process.argv[2], process.argv[3], process.argv[4], process.argv[5]).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
