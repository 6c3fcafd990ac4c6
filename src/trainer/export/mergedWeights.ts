// The base model's tensors with a LoRA adapter folded in, one tensor at a time (a 7B model never has two
// copies in memory): W' = W + scale · B·A, the product computed in float64, the sum kept in float32, so each
// exporter rounds once to its output type.
import { WeightSource } from '../engine/weightSource';
import { loraScale, readPeftAdapter, type PeftAdapter } from '../engine/peft';
import { isFloatDtype, type Dtype } from '../engine/safetensors';

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export class MergedWeights {
  private readonly source: WeightSource;
  private readonly adapter: PeftAdapter | undefined;
  private readonly scale: number;
  /** Base tensor key ("…q_proj.weight") → its adapter module name. */
  private readonly mergedKeys = new Map<string, string>();

  constructor(modelDir: string, adapterDir: string | undefined) {
    this.source = new WeightSource(modelDir);
    try {
      this.adapter = adapterDir === undefined ? undefined : readPeftAdapter(adapterDir);
      this.scale = this.adapter ? loraScale(this.adapter.spec) : 0;
      for (const [name, m] of this.adapter?.modules ?? []) {
        const key = `${name}.weight`;
        if (!this.source.has(key)) throw new ExportError(`${adapterDir}: adapter module "${name}" has no base tensor "${key}" in ${modelDir} (an adapter for another model?)`);
        const [out, inDim] = this.source.infoOf(key).shape;
        if (m.b.shape[0] !== out || m.a.shape[1] !== inDim) {
          throw new ExportError(`${adapterDir}: adapter module "${name}" is [${m.b.shape[0]}, ${m.a.shape[1]}] but the base tensor "${key}" is [${out}, ${inDim}] (an adapter for another model?)`);
        }
        this.mergedKeys.set(key, name);
      }
      for (const key of this.source.keys()) {
        const { dtype } = this.source.infoOf(key);
        if (!isFloatDtype(dtype as Dtype)) throw new ExportError(`${modelDir}: tensor "${key}" has dtype ${dtype}; only floating-point checkpoints can be exported`);
      }
    } catch (e) {
      this.source.close();
      throw e;
    }
  }

  keys(): string[] {
    return this.source.keys();
  }

  shapeOf(key: string): number[] {
    return this.source.infoOf(key).shape;
  }

  storedDtype(key: string): Dtype {
    return this.source.infoOf(key).dtype as Dtype;
  }

  /** The dtype the base stores its weights in (the embedding's): the default output dtype. */
  baseDtype(): 'F32' | 'F16' | 'BF16' {
    const key = this.source.has('model.embed_tokens.weight') ? 'model.embed_tokens.weight' : this.keys()[0];
    const d = this.storedDtype(key);
    return d === 'F16' || d === 'BF16' ? d : 'F32';
  }

  isMerged(key: string): boolean {
    return this.mergedKeys.has(key);
  }

  get mergedCount(): number {
    return this.mergedKeys.size;
  }

  /** The stored bytes of an unmerged tensor (copied bit for bit when the output keeps its dtype). */
  storedBytes(key: string): Uint8Array {
    return this.source.readStored(key, this.shapeOf(key)).bytes;
  }

  /** A tensor as float32, with the adapter's update added when the adapter targets it. */
  read(key: string): Float32Array {
    const shape = this.shapeOf(key);
    const w = this.source.read(key, shape).data;
    const name = this.mergedKeys.get(key);
    if (!name || !this.adapter) return w;
    const out = new Float32Array(w); // never write into a view of the file's buffer
    const { a, b } = this.adapter.modules.get(name)!;
    const r = a.shape[0];
    const inDim = a.shape[1];
    const rows = b.shape[0];
    const delta = new Float64Array(inDim);
    for (let o = 0; o < rows; o++) {
      delta.fill(0);
      for (let k = 0; k < r; k++) {
        const c = this.scale * b.data[o * r + k];
        if (c === 0) continue;
        const aRow = k * inDim;
        for (let i = 0; i < inDim; i++) delta[i] += c * a.data[aRow + i];
      }
      const base = o * inDim;
      for (let i = 0; i < inDim; i++) out[base + i] = w[base + i] + delta[i];
    }
    return out;
  }

  close(): void {
    this.source.close();
  }
}
