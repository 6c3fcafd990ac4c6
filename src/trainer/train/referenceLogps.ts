import * as tf from '@tensorflow/tfjs';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import type { TrainableLM } from './lm';
import type { DpoExample } from '../prompt/renderRecord';
import { padBatch } from './batching';
import { sequenceLogps } from './losses';
import type { ReferenceLogps } from './trainLoop';

export const REF_CACHE_DIR = 'reference-logps';

/**
 * Sequence log-probs of the reference model (the trainable adapter switched off; a folded SFT adapter
 * stays in) for every pair, computed once without gradients.
 */
/**
 * Sequence log-probs of every pair under the reference (the model without the trainable adapter). Yields to the
 * event loop between batches, so a cancel (SIGTERM, IPC) is seen during a long pass: `shouldStop` then ends it
 * early with undefined.
 */
export async function computeReferenceLogps(model: TrainableLM, pairs: DpoExample[], batchSize: number, padId: number, shouldStop: () => boolean = () => false): Promise<ReferenceLogps | undefined> {
  const chosen = new Float64Array(pairs.length);
  const rejected = new Float64Array(pairs.length);
  const wasEnabled = model.lora.enabled;
  model.lora.setEnabled(false);
  try {
    for (let s = 0; s < pairs.length; s += batchSize) {
      await new Promise((r) => setImmediate(r));
      if (shouldStop()) return undefined;
      const part = pairs.slice(s, s + batchSize);
      const batch = padBatch([...part.map((p) => p.chosen), ...part.map((p) => p.rejected)], padId);
      const values = tf.tidy(() => {
        const ids = tf.tensor2d(batch.ids, [batch.rows, batch.cols], 'int32');
        const attention = tf.tensor2d(batch.attention, [batch.rows, batch.cols]);
        const mask = tf.tensor2d(batch.lossMask, [batch.rows, batch.cols]);
        return sequenceLogps(model.tokenLogprobs(ids, attention, { training: false }), mask).dataSync();
      });
      part.forEach((_, k) => {
        chosen[s + k] = values[k];
        rejected[s + k] = values[part.length + k];
      });
    }
  } finally {
    model.lora.setEnabled(wasEnabled);
  }
  return { chosen, rejected };
}

function hashFileInto(h: crypto.Hash, file: string): void {
  const stat = fs.statSync(file);
  h.update(`${path.basename(file)}:${stat.size}:`);
  // Large weight files: hash head, tail and evenly spaced 64 KiB samples rather than gigabytes.
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = 1 << 16;
    const samples = stat.size <= 64 * chunk ? [0] : Array.from({ length: 64 }, (_, i) => Math.floor((i / 63) * (stat.size - chunk)));
    const buf = Buffer.alloc(stat.size <= 64 * chunk ? stat.size : chunk);
    for (const at of samples) {
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function hashDirInto(h: crypto.Hash, dir: string): void {
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isFile()) hashFileInto(h, p);
  }
}

/**
 * Cache key of reference log-probs: the tokenised pairs themselves (so data, tokenizer, template and
 * max length all count), the model folder's files and the starting adapter's files.
 */
export function referenceCacheKey(pairs: DpoExample[], modelDir: string, adapterDir: string | undefined): string {
  const h = crypto.createHash('sha256');
  h.update('ref-logps/1\n');
  for (const p of pairs) h.update(`${p.chosen.ids.join(',')}|${p.chosen.lossMask.join('')}|${p.rejected.ids.join(',')}|${p.rejected.lossMask.join('')}\n`);
  h.update('model\n');
  hashDirInto(h, modelDir);
  h.update('adapter\n');
  if (adapterDir) hashDirInto(h, adapterDir);
  return h.digest('hex').slice(0, 32);
}

function cacheFile(runDir: string, key: string): string {
  return path.join(runDir, REF_CACHE_DIR, `${key}.json`);
}

function readCache(file: string, n: number): ReferenceLogps | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as { chosen: number[]; rejected: number[] };
    if (v.chosen.length !== n || v.rejected.length !== n) return undefined;
    return { chosen: Float64Array.from(v.chosen), rejected: Float64Array.from(v.rejected) };
  } catch {
    return undefined;
  }
}

/**
 * Finds cached reference log-probs in this run folder or, failing that, in a sibling run folder (a
 * second run on the same data and model), copying them here so this run stays self-contained.
 */
export function lookupReferenceCache(runDir: string, key: string, n: number): { ref: ReferenceLogps; from: string } | undefined {
  const own = cacheFile(runDir, key);
  const hit = readCache(own, n);
  if (hit) return { ref: hit, from: own };
  const parent = path.dirname(path.resolve(runDir));
  let siblings: string[] = [];
  try {
    siblings = fs.readdirSync(parent).map((d) => path.join(parent, d)).filter((d) => d !== path.resolve(runDir));
  } catch {
    return undefined;
  }
  for (const dir of siblings) {
    const file = cacheFile(dir, key);
    if (!fs.existsSync(file)) continue;
    const ref = readCache(file, n);
    if (ref) {
      storeReferenceCache(runDir, key, ref);
      return { ref, from: file };
    }
  }
  return undefined;
}

export function storeReferenceCache(runDir: string, key: string, ref: ReferenceLogps): void {
  fs.mkdirSync(path.join(runDir, REF_CACHE_DIR), { recursive: true });
  writeFileAtomic(cacheFile(runDir, key), JSON.stringify({ chosen: Array.from(ref.chosen), rejected: Array.from(ref.rejected) }));
}
