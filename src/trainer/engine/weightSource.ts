import * as fs from 'node:fs';
import * as path from 'node:path';
import { SafetensorsFile, isFloatDtype } from './safetensors';
import { readJsonObject } from './jsonFile';

/**
 * The tensors of a model folder: model.safetensors, or model.safetensors.index.json and its shards.
 * Files are opened lazily and tensors read one at a time, so loading never holds a second copy of the weights.
 */
export class WeightSource {
  private readonly files = new Map<string, SafetensorsFile>();
  private readonly keyToFile = new Map<string, string>();

  constructor(readonly dir: string) {
    const index = path.join(dir, 'model.safetensors.index.json');
    const single = path.join(dir, 'model.safetensors');
    if (fs.existsSync(index)) {
      const json = readJsonObject(index);
      const map = json.weight_map;
      if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new Error(`${index}: key "weight_map" must be an object`);
      for (const [key, shard] of Object.entries(map)) {
        // Shard names come from the file: keep them inside the model folder.
        if (typeof shard !== 'string' || shard !== path.basename(shard) || !shard.endsWith('.safetensors')) {
          throw new Error(`${index}: key "weight_map.${key}" names an invalid shard ${JSON.stringify(shard)}`);
        }
        this.keyToFile.set(key, path.join(dir, shard));
      }
    } else if (fs.existsSync(single)) {
      const f = this.open(single);
      for (const key of f.tensors.keys()) this.keyToFile.set(key, single);
    } else {
      throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json`);
    }
  }

  private open(file: string): SafetensorsFile {
    let f = this.files.get(file);
    if (!f) {
      f = SafetensorsFile.open(file);
      this.files.set(file, f);
    }
    return f;
  }

  /** Every tensor name of the folder (index order, or the single file's header order). */
  keys(): string[] {
    return [...this.keyToFile.keys()];
  }

  /** A tensor's shape and stored dtype from its file's header (nothing read); errors name the file and key. */
  infoOf(key: string): { shape: number[]; dtype: string } {
    const file = this.keyToFile.get(key);
    if (!file) throw new Error(`${this.dir}: missing tensor "${key}"`);
    const t = this.open(file).info(key);
    return { shape: t.shape, dtype: t.dtype };
  }

  has(key: string): boolean {
    return this.keyToFile.has(key);
  }

  /** The stored dtype of a tensor (F32, BF16, ...), undefined when the folder lacks it. */
  dtypeOf(key: string): string | undefined {
    const file = this.keyToFile.get(key);
    return file ? this.open(file).tensors.get(key)?.dtype : undefined;
  }

  /**
   * Checks one tensor against the shape config.json implies, from the safetensors header alone (nothing is
   * read or allocated); errors name the file and key.
   */
  check(key: string, expectedShape: number[]): void {
    const file = this.keyToFile.get(key);
    if (!file) throw new Error(`${this.dir}: missing tensor "${key}" (not in ${fs.existsSync(path.join(this.dir, 'model.safetensors.index.json')) ? 'model.safetensors.index.json' : 'model.safetensors'})`);
    const f = this.open(file);
    if (!f.tensors.has(key)) throw new Error(`${file}: missing tensor "${key}" (listed in model.safetensors.index.json)`);
    const t = f.info(key);
    if (t.shape.length !== expectedShape.length || t.shape.some((d, i) => d !== expectedShape[i])) {
      throw new Error(`${file}: tensor "${key}" has shape ${JSON.stringify(t.shape)}, config.json implies ${JSON.stringify(expectedShape)}`);
    }
    if (!isFloatDtype(t.dtype)) throw new Error(`${file}: tensor "${key}" has dtype ${t.dtype}; a floating-point tensor was expected`);
  }

  /** A float tensor as float32, its shape checked; errors name the file and key. */
  read(key: string, expectedShape: number[]): { shape: number[]; data: Float32Array } {
    this.check(key, expectedShape);
    return this.open(this.keyToFile.get(key)!).readFloat32(key);
  }

  /** Bytes per element as stored (the embedding's dtype, else the first tensor's): 2 for bf16/f16, 4 for f32. */
  storedBytesPerElement(): number {
    const key = this.keyToFile.has('model.embed_tokens.weight') ? 'model.embed_tokens.weight' : this.keyToFile.keys().next().value;
    if (key === undefined) return 4;
    const dtype = this.dtypeOf(key);
    return dtype === 'BF16' || dtype === 'F16' ? 2 : dtype === 'F64' ? 8 : 4;
  }

  /** A tensor's stored bytes and dtype (frozen weights kept in their own precision), its shape checked. */
  readStored(key: string, expectedShape: number[]): { dtype: string; bytes: Uint8Array } {
    this.check(key, expectedShape);
    const f = this.open(this.keyToFile.get(key)!);
    return { dtype: f.info(key).dtype, bytes: f.readBytes(key) };
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }
}
