import * as tf from '@tensorflow/tfjs';
import type { GenerateOptions, GenerateResult, LoadedModel } from './types';
import type { KvCache, LlamaModel } from './model';
import { mulberry32 } from './random';
import { checkLoaded } from './memoryPreflight';

/** Picks the next token from one row of logits: argmax at temperature 0, else nucleus sampling. */
export function sampleToken(logits: Float32Array, temperature: number, topP: number, rand: () => number): number {
  if (!(temperature > 0)) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const probs = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += probs[i] = Math.exp((logits[i] - max) / temperature);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  // Smallest set of most likely tokens whose mass reaches topP (always at least one token).
  let kept = 0;
  let mass = 0;
  while (kept < order.length && (kept === 0 || mass < topP * sum)) mass += probs[order[kept++]];
  let u = rand() * mass;
  for (let i = 0; i < kept; i++) {
    u -= probs[order[i]];
    if (u <= 0) return order[i];
  }
  return order[kept - 1];
}

/** End-of-sequence ids from config.json, tokenizer_config.json and generation_config.json together. */
export function defaultStopIds(m: LoadedModel): number[] {
  const ids = new Set<number>([...m.config.eosTokenIds, m.tokenizer.eosId]);
  const g = m.generationConfig?.eos_token_id;
  for (const v of Array.isArray(g) ? g : [g]) if (typeof v === 'number') ids.add(v);
  return [...ids];
}

/** Autoregressive generation with a KV cache; streams each token's text as soon as it decodes cleanly. */
export async function generate(m: LoadedModel, promptIds: number[], opts: GenerateOptions): Promise<GenerateResult> {
  const model = m.model as LlamaModel;
  if (promptIds.length === 0) throw new Error('generate: the prompt has no tokens');
  const limit = m.config.maxPositionEmbeddings;
  const maxNew = Math.max(0, Math.min(opts.maxNewTokens, limit - promptIds.length));
  checkLoaded(m, { task: 'generate', batchSize: 1, maxLength: promptIds.length + maxNew });
  const stop = new Set(opts.stopIds ?? defaultStopIds(m));
  const rand = mulberry32(opts.seed);
  const cache: KvCache = { keys: [], values: [], length: 0 };
  const out: number[] = [];
  let emitted = '';
  let stoppedAt: GenerateResult['stoppedAt'] = 'length';
  try {
    let input = promptIds;
    for (let step = 0; step < maxNew; step++) {
      if (opts.signal?.aborted) {
        stoppedAt = 'aborted';
        break;
      }
      const last = tf.tidy(() => {
        const ids = tf.tensor2d(input, [1, input.length], 'int32');
        const h = model.hidden(ids, undefined, false, cache);
        const hLast = tf.reshape(tf.slice(h, [0, input.length - 1, 0], [1, 1, m.config.hiddenSize]), [1, m.config.hiddenSize]) as tf.Tensor2D;
        return model.project(hLast);
      });
      const row = (await last.data()) as Float32Array;
      last.dispose();
      const next = sampleToken(row, opts.temperature, opts.topP, rand);
      if (stop.has(next)) {
        stoppedAt = 'eos';
        break;
      }
      out.push(next);
      const text = m.tokenizer.decode(out, { skipSpecialTokens: true });
      // A multi-byte character split across tokens decodes to U+FFFD until its last byte arrives: hold it back
      // (except on the last step, so the streamed pieces always add up to the final text).
      const lastStep = step === maxNew - 1;
      if ((lastStep || !text.endsWith('\uFFFD')) && text.startsWith(emitted)) {
        opts.onToken?.(next, text.slice(emitted.length));
        emitted = text;
      } else {
        opts.onToken?.(next, '');
      }
      input = [next];
      // Let abort signals and IPC messages through between tokens.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    for (const t of [...cache.keys, ...cache.values]) t.dispose();
  }
  const text = m.tokenizer.decode(out, { skipSpecialTokens: true });
  // Stopped early with bytes held back: flush them under the last token's id.
  if (out.length > 0 && text !== emitted && text.startsWith(emitted)) opts.onToken?.(out[out.length - 1], text.slice(emitted.length));
  return { ids: out, text, stoppedAt };
}
