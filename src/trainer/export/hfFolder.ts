// The merged model as a Hugging Face folder: sharded safetensors (+ model.safetensors.index.json when there is
// more than one shard, named as transformers' save_pretrained names them), config.json with the output dtype,
// generation_config.json, and the tokenizer and chat-template files copied unchanged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNewFile } from '../../core/node/atomicWrite';
import { DTYPE_BYTES, writeFloats } from '../engine/safetensors';
import { readJsonObject } from '../engine/jsonFile';
import type { MergedWeights } from './mergedWeights';
import { PieceWriter } from './stagingFolder';
import type { ExportSteps } from './exportSteps';

export type HfDtype = 'F32' | 'F16' | 'BF16';

/** transformers' save_pretrained default max_shard_size. */
export const DEFAULT_MAX_SHARD_BYTES = 5 * 10 ** 9;

/** Files of a model folder that are not weights and travel with it unchanged (those present are copied). */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'tokenizer.model',
  'vocab.json',
  'merges.txt',
  'chat_template.jinja',
  'chat_template.json',
];

const TORCH_DTYPE: Record<HfDtype, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

interface Shard {
  file: string;
  keys: string[];
}

/** Splits the sorted keys into shards of at most maxBytes each (a tensor larger than that gets a shard of its own). */
export function planShards(keys: string[], bytesOf: (key: string) => number, maxBytes: number): Shard[] {
  const groups: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const key of [...keys].sort()) {
    const b = bytesOf(key);
    if (current.length > 0 && size + b > maxBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(key);
    size += b;
  }
  if (current.length > 0) groups.push(current);
  const n = groups.length;
  const pad = (i: number): string => String(i).padStart(5, '0');
  return groups.map((keys, i) => ({ file: n === 1 ? 'model.safetensors' : `model-${pad(i + 1)}-of-${pad(n)}.safetensors`, keys }));
}

/** The safetensors header (sorted names, padded to 8 bytes) for tensors whose shapes and dtypes are known up front. */
function shardHeader(keys: string[], shapeOf: (k: string) => number[], dtype: HfDtype): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const key of keys) {
    const shape = shapeOf(key);
    const bytes = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    header[key] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const body = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(8 + body.length);
  out.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(out, 8);
  return out;
}

export async function writeHfFolder(weights: MergedWeights, modelDir: string, outDir: string, dtype: HfDtype, steps: ExportSteps, maxShardBytes = DEFAULT_MAX_SHARD_BYTES): Promise<string[]> {
  const shapeOf = (k: string): number[] => weights.shapeOf(k);
  const bytesOf = (k: string): number => shapeOf(k).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
  const shards = planShards(weights.keys(), bytesOf, maxShardBytes);
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (const shard of shards) {
    const w = new PieceWriter(path.join(outDir, shard.file));
    try {
      w.write(shardHeader(shard.keys, shapeOf, dtype));
      for (const key of shard.keys) {
        await steps.tensor(key);
        // An untouched tensor kept in its own dtype is copied bit for bit; anything else is rounded once from float32.
        if (!weights.isMerged(key) && weights.storedDtype(key) === dtype) {
          w.write(weights.storedBytes(key));
        } else {
          const data = weights.read(key);
          const buf = Buffer.alloc(data.length * DTYPE_BYTES[dtype]);
          writeFloats(buf, 0, dtype, data);
          w.write(buf);
        }
        weightMap[key] = shard.file;
        total += bytesOf(key);
      }
      w.close();
    } catch (e) {
      w.abandon();
      throw e;
    }
  }
  const files = shards.map((s) => s.file);
  if (shards.length > 1) {
    writeNewFile(path.join(outDir, 'model.safetensors.index.json'), `${JSON.stringify({ metadata: { total_size: total }, weight_map: sortedObject(weightMap) }, null, 2)}\n`);
    files.push('model.safetensors.index.json');
  }
  files.push(...writeModelFiles(modelDir, outDir, dtype));
  return files;
}

function sortedObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** config.json (its dtype updated), generation_config.json and the tokenizer files; returns the names written. */
function writeModelFiles(modelDir: string, outDir: string, dtype: HfDtype): string[] {
  const config = readJsonObject(path.join(modelDir, 'config.json'));
  // transformers 5 writes "dtype", 4.x "torch_dtype": keep whichever the base has, torch_dtype when neither.
  if ('dtype' in config) config.dtype = TORCH_DTYPE[dtype];
  if ('torch_dtype' in config || !('dtype' in config)) config.torch_dtype = TORCH_DTYPE[dtype];
  writeNewFile(path.join(outDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const written = ['config.json'];
  const genFile = path.join(modelDir, 'generation_config.json');
  if (fs.existsSync(genFile)) {
    writeNewFile(path.join(outDir, 'generation_config.json'), fs.readFileSync(genFile));
  } else {
    // What transformers derives from config.json when a folder has no generation_config.json.
    const gen: Record<string, unknown> = {};
    for (const k of ['bos_token_id', 'eos_token_id', 'pad_token_id']) if (config[k] !== undefined && config[k] !== null) gen[k] = config[k];
    writeNewFile(path.join(outDir, 'generation_config.json'), `${JSON.stringify(gen, null, 2)}\n`);
  }
  written.push('generation_config.json');
  for (const name of TOKENIZER_FILES) {
    const src = path.join(modelDir, name);
    if (fs.existsSync(src) && fs.statSync(src).isFile()) {
      writeNewFile(path.join(outDir, name), fs.readFileSync(src));
      written.push(name);
    }
  }
  return written;
}
