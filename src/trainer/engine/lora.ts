import * as tf from '@tensorflow/tfjs';
import type { LoraController, LoraSpec } from './types';
import { LORA_TARGETS, loraScale, peftKey, readPeftAdapter, writePeftAdapterOf, type PeftAdapter } from './peft';
import { mulberry32 } from './random';
import { stackAdapters } from './stackAdapters';

export interface LinearModule {
  /** HF module name, e.g. "model.layers.0.self_attn.q_proj". */
  name: string;
  inDim: number;
  outDim: number;
}

interface Adapter {
  a: tf.Variable; // [r, in]
  b: tf.Variable; // [out, r]
}

/** Folds scale · B·A into one base weight [out, in]; provided by the model that owns the weights. */
export type FoldHook = (module: string, a: tf.Tensor2D, b: tf.Tensor2D, scale: number) => void;

function checkSpec(spec: LoraSpec): void {
  if (!Number.isInteger(spec.r) || spec.r <= 0) throw new Error(`LoRA rank r must be a positive integer (got ${spec.r})`);
  if (!Number.isFinite(spec.alpha) || spec.alpha <= 0) throw new Error(`LoRA alpha must be positive (got ${spec.alpha})`);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) throw new Error(`LoRA dropout must be in [0, 1) (got ${spec.dropout})`);
  const bad = spec.targets.filter((t) => !(LORA_TARGETS as readonly string[]).includes(t));
  if (bad.length || spec.targets.length === 0) throw new Error(`LoRA targets must be among ${LORA_TARGETS.join(', ')} (got ${spec.targets.join(', ') || 'none'})`);
}

/** A variable name that is unique in this process even when several models carry adapters. */
export function uniqueName(base: string): string {
  const taken = tf.engine().registeredVariables;
  if (!(base in taken)) return base;
  for (let i = 2; ; i++) if (!(`${base}#${i}` in taken)) return `${base}#${i}`;
}

/** The single trainable LoRA adapter of a model (PEFT semantics), plus folding finished adapters into the base. */
export class LoraAdapters implements LoraController {
  private adapters = new Map<string, Adapter>();
  private currentSpec: LoraSpec | undefined;
  private isEnabled = true;
  private scaleValue = 0;
  private dropoutSeed = 0;
  /** Adapters folded into the base, in order: what is saved must apply to the base alone. */
  private folded: PeftAdapter | undefined;

  constructor(
    private readonly modules: LinearModule[],
    private readonly foldHook: FoldHook,
  ) {}

  get enabled(): boolean {
    return this.isEnabled;
  }
  get spec(): LoraSpec | undefined {
    return this.currentSpec;
  }

  attach(spec: LoraSpec, seed: number): void {
    checkSpec(spec);
    this.clear();
    const rand = mulberry32(seed);
    const created = new Map<string, Adapter>();
    for (const m of this.targetModules(spec)) {
      // PEFT initialises A with kaiming_uniform_(a=√5): U(-1/√in, 1/√in); B starts at zero so the adapter is a no-op.
      const bound = 1 / Math.sqrt(m.inDim);
      const a = new Float32Array(spec.r * m.inDim);
      for (let i = 0; i < a.length; i++) a[i] = (2 * rand() - 1) * bound;
      created.set(m.name, this.makeAdapter(m.name, tf.tensor2d(a, [spec.r, m.inDim]), tf.zeros([m.outDim, spec.r])));
    }
    this.install(spec, created, seed);
  }

  async loadTrainable(dir: string): Promise<LoraSpec> {
    const peft = readPeftAdapter(dir);
    const created = this.adaptersFrom(dir, peft);
    this.clear();
    const made = new Map<string, Adapter>();
    for (const [name, t] of created) made.set(name, this.makeAdapter(name, t.a, t.b));
    this.install(peft.spec, made, 0);
    return { ...peft.spec, targets: [...peft.spec.targets] };
  }

  async fold(dir: string): Promise<void> {
    const peft = readPeftAdapter(dir);
    const tensors = this.adaptersFrom(dir, peft);
    const scale = loraScale(peft.spec);
    for (const [name, t] of tensors) {
      this.foldHook(name, t.a, t.b, scale);
      t.a.dispose();
      t.b.dispose();
    }
    this.folded = this.folded ? stackAdapters(this.folded, peft) : peft;
  }

  setEnabled(enabled: boolean): void {
    this.isEnabled = enabled;
  }

  /** The trainable variables of modules whose name starts with prefix (one layer's, for recomputation). */
  variablesUnder(prefix: string): tf.Variable[] {
    if (!this.isEnabled) return [];
    return [...this.adapters].filter(([name]) => name.startsWith(prefix)).flatMap(([, ad]) => [ad.a, ad.b]);
  }

  /** Dropout draws are numbered: a recomputed layer replays the same masks by rewinding the counter. */
  dropoutCursor(): number {
    return this.dropoutSeed;
  }

  setDropoutCursor(at: number): void {
    this.dropoutSeed = at;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.adapters.values()].flatMap((ad) => [ad.a, ad.b]);
  }

  getState(): Map<string, Float32Array> {
    const state = new Map<string, Float32Array>();
    for (const [name, ad] of this.adapters) {
      state.set(peftKey(name, 'A'), ad.a.dataSync() as Float32Array);
      state.set(peftKey(name, 'B'), ad.b.dataSync() as Float32Array);
    }
    return state;
  }

  setState(state: Map<string, Float32Array>): void {
    for (const [name, ad] of this.adapters) {
      for (const [which, v] of [['A', ad.a], ['B', ad.b]] as const) {
        const key = peftKey(name, which);
        const data = state.get(key);
        if (!data) throw new Error(`LoRA state is missing "${key}"`);
        if (data.length !== v.size) throw new Error(`LoRA state "${key}" has ${data.length} values, expected ${v.size}`);
        v.assign(tf.tensor(data, v.shape));
      }
    }
  }

  /** The trainable adapter as PEFT holds it in memory (copies of A and B per module). */
  toPeft(): PeftAdapter {
    if (!this.currentSpec) throw new Error('No LoRA adapter attached: nothing to save');
    const modules: PeftAdapter['modules'] = new Map();
    for (const [name, ad] of this.adapters) {
      modules.set(name, { a: { shape: ad.a.shape, data: ad.a.dataSync() as Float32Array }, b: { shape: ad.b.shape, data: ad.b.dataSync() as Float32Array } });
    }
    return { spec: { ...this.currentSpec, targets: [...this.currentSpec.targets] }, modules };
  }

  /** The trainable adapter stacked on every folded one (rank r1 + r2, exact), so it applies to the base alone. */
  async save(dir: string, baseModelNameOrPath: string): Promise<void> {
    const own = this.toPeft();
    writePeftAdapterOf(dir, this.folded ? stackAdapters(this.folded, own) : own, baseModelNameOrPath);
  }

  /** x·Aᵀ·Bᵀ·scale for one module, or undefined when the module has no active adapter. */
  delta(module: string, x: tf.Tensor2D, training: boolean): tf.Tensor2D | undefined {
    if (!this.isEnabled) return undefined;
    const ad = this.adapters.get(module);
    if (!ad) return undefined;
    const p = this.currentSpec!.dropout;
    const xin = training && p > 0 ? (tf.dropout(x, p, undefined, this.dropoutSeed++) as tf.Tensor2D) : x;
    const h = tf.mul(tf.matMul(xin, ad.a as tf.Tensor2D, false, true), this.scaleValue) as tf.Tensor2D;
    return tf.matMul(h, ad.b as tf.Tensor2D, false, true);
  }

  dispose(): void {
    this.clear();
  }

  private targetModules(spec: LoraSpec): LinearModule[] {
    return this.modules.filter((m) => spec.targets.includes(m.name.slice(m.name.lastIndexOf('.') + 1)));
  }

  /** Checks a PEFT adapter against this model's modules and makes tensors from it. */
  private adaptersFrom(dir: string, peft: ReturnType<typeof readPeftAdapter>): Map<string, { a: tf.Tensor2D; b: tf.Tensor2D }> {
    const byName = new Map(this.modules.map((m) => [m.name, m]));
    for (const [name, t] of peft.modules) {
      const m = byName.get(name);
      if (!m) throw new Error(`${dir}: adapter module "${name}" does not exist in this model`);
      if (t.a.shape[1] !== m.inDim || t.b.shape[0] !== m.outDim) {
        throw new Error(`${dir}: adapter "${peftKey(name, 'A')}" ${JSON.stringify(t.a.shape)} / "${peftKey(name, 'B')}" ${JSON.stringify(t.b.shape)} do not fit the base layer [${m.outDim}, ${m.inDim}]`);
      }
    }
    const out = new Map<string, { a: tf.Tensor2D; b: tf.Tensor2D }>();
    for (const [name, t] of peft.modules) out.set(name, { a: tf.tensor2d(t.a.data, t.a.shape as [number, number]), b: tf.tensor2d(t.b.data, t.b.shape as [number, number]) });
    return out;
  }

  private makeAdapter(module: string, a: tf.Tensor, b: tf.Tensor): Adapter {
    const ad = { a: tf.variable(a, true, uniqueName(peftKey(module, 'A'))), b: tf.variable(b, true, uniqueName(peftKey(module, 'B'))) };
    a.dispose();
    b.dispose();
    return ad;
  }

  private install(spec: LoraSpec, adapters: Map<string, Adapter>, seed: number): void {
    // Keep the model's module order so trainableVariables() is stable.
    this.adapters = new Map(this.modules.filter((m) => adapters.has(m.name)).map((m) => [m.name, adapters.get(m.name)!]));
    this.currentSpec = { ...spec, targets: [...spec.targets] };
    this.scaleValue = loraScale(spec);
    this.isEnabled = true;
    this.dropoutSeed = seed * 1000003;
  }

  private clear(): void {
    for (const ad of this.adapters.values()) {
      ad.a.dispose();
      ad.b.dispose();
    }
    this.adapters.clear();
    this.currentSpec = undefined;
  }
}
