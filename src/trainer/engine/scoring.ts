import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from './types';
import { loadModel } from './index';
import { checkLoaded } from './memoryPreflight';

/** Loads a model folder and, when given, applies an adapter folder (PEFT) on top. */
export async function loadWithAdapter(modelDir: string, adapterDir?: string): Promise<LoadedModel> {
  const m = await loadModel(modelDir);
  if (adapterDir) {
    try {
      await m.model.lora.loadTrainable(adapterDir);
    } catch (e) {
      m.model.dispose();
      throw e;
    }
  }
  return m;
}

/** Token ids from either text (tokenizer.json with its post-processor, e.g. BOS) or explicit ids. */
export function tokensFor(m: LoadedModel, input: { text?: string; ids?: number[] }): number[] {
  const ids = input.ids ?? m.tokenizer.encode(input.text ?? '');
  const vocab = m.config.vocabSize;
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
  if (bad !== undefined) throw new Error(`token id ${bad} is outside the model's vocabulary (0..${vocab - 1})`);
  if (ids.length > m.config.maxPositionEmbeddings) throw new Error(`${ids.length} tokens exceed the model's ${m.config.maxPositionEmbeddings} positions`);
  return ids;
}

/** log p(token_i | tokens_<i) for every token: the first has no context, so it is null. */
export function scoreTokens(m: LoadedModel, ids: number[]): { tokens: number[]; logprobs: (number | null)[] } {
  if (ids.length === 0) return { tokens: [], logprobs: [] };
  checkLoaded(m, { task: 'score', batchSize: 1, maxLength: ids.length });
  const lp = tf.tidy(() => m.model.tokenLogprobs(tf.tensor2d([ids], [1, ids.length], 'int32')));
  const row = Array.from(lp.dataSync());
  lp.dispose();
  return { tokens: ids, logprobs: row.map((v, i) => (i === 0 ? null : v)) };
}
