import * as tf from '@tensorflow/tfjs';
import type { CausalLM, DecoderTraits, ModelConfig, RopeSpec } from './types';
import { LoraAdapters, uniqueName, type LinearModule } from './lora';
import { WeightSource } from './weightSource';
import { attention, embed, fusedAttentionAvailable, fusedAvailable, logSoftmaxPick, rmsNorm, rope, swiglu } from '../kernels/fusedOps';
import { chunkedTargetLogprobs, type OutputHead } from './chunkedHead';
import { recomputed } from './recompute';
import { FROZEN, createNativeMatrix, frozenInputGrad, frozenLinear, frozenRows, frozenTargetLogprobs, nativeWeightsAvailable, type NativeMatrix, type StoredDtype } from '../kernels/frozenWeights';
import { traitsOf } from './families';
import { geglu, scaleEmbeddings, softcap } from './families/familyOps';

/** Keys and cached tensors of past positions, one entry per layer (generation). */
export interface KvCache {
  keys: tf.Tensor4D[]; // [B, nKv, past, headDim]
  values: tf.Tensor4D[];
  length: number;
}

const NEG = -1e9;

/** RoPE inverse frequencies as transformers' ROPE_INIT_FUNCTIONS compute them (default, linear, llama3). */
export function inverseFrequencies(c: ModelConfig, spec: RopeSpec = { theta: c.ropeTheta, ...(c.ropeScaling ? { scaling: c.ropeScaling } : {}) }): Float32Array {
  const half = c.headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(spec.theta, (2 * i) / c.headDim);
  const sc = spec.scaling;
  if (sc?.type === 'linear') for (let i = 0; i < half; i++) inv[i] /= sc.factor;
  if (sc?.type === 'llama3') {
    const lowWavelen = sc.originalMaxPositionEmbeddings / sc.lowFreqFactor;
    const highWavelen = sc.originalMaxPositionEmbeddings / sc.highFreqFactor;
    for (let i = 0; i < half; i++) {
      const wavelen = (2 * Math.PI) / inv[i];
      if (wavelen > lowWavelen) inv[i] /= sc.factor;
      else if (wavelen >= highWavelen) {
        // Between the two bands: interpolate between scaled and unscaled.
        const smooth = (sc.originalMaxPositionEmbeddings / wavelen - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
        inv[i] = (1 - smooth) * (inv[i] / sc.factor) + smooth * inv[i];
      }
    }
  }
  return inv;
}

/** Llama/Mistral attention_bias puts biases on q, k, v and o; Qwen2 has them on q, k, v only. */
function outputBias(c: ModelConfig): boolean {
  return c.attentionBias && c.architecture !== 'Qwen2ForCausalLM';
}

function layerPrefix(i: number): string {
  return `model.layers.${i}`;
}

/** Every base tensor the architecture needs, with its HF name and shape. */
export function expectedTensors(c: ModelConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  m.set('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = layerPrefix(i);
    m.set(`${p}.input_layernorm.weight`, [c.hiddenSize]);
    m.set(`${p}.self_attn.q_proj.weight`, [q, c.hiddenSize]);
    m.set(`${p}.self_attn.k_proj.weight`, [kv, c.hiddenSize]);
    m.set(`${p}.self_attn.v_proj.weight`, [kv, c.hiddenSize]);
    if (c.attentionBias) {
      m.set(`${p}.self_attn.q_proj.bias`, [q]);
      m.set(`${p}.self_attn.k_proj.bias`, [kv]);
      m.set(`${p}.self_attn.v_proj.bias`, [kv]);
    }
    m.set(`${p}.self_attn.o_proj.weight`, [c.hiddenSize, q]);
    if (outputBias(c)) m.set(`${p}.self_attn.o_proj.bias`, [c.hiddenSize]);
    m.set(`${p}.post_attention_layernorm.weight`, [c.hiddenSize]);
    for (const [key, shape] of familyLayerTensors(c, p)) m.set(key, shape);
    m.set(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    m.set(`${p}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    m.set(`${p}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]);
  }
  m.set('model.norm.weight', [c.hiddenSize]);
  if (!c.tieWordEmbeddings) m.set('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  return m;
}

/** Norm weights only some families have: per-head q/k norms (Qwen3, Gemma 3), norms around the MLP (Gemma 3). */
function familyLayerTensors(c: ModelConfig, p: string): [string, number[]][] {
  const t = traitsOf(c);
  const out: [string, number[]][] = [];
  if (t.qkNorm) out.push([`${p}.self_attn.q_norm.weight`, [c.headDim]], [`${p}.self_attn.k_norm.weight`, [c.headDim]]);
  if (t.sandwichNorms) out.push([`${p}.pre_feedforward_layernorm.weight`, [c.hiddenSize]], [`${p}.post_feedforward_layernorm.weight`, [c.hiddenSize]]);
  return out;
}

function linearModules(c: ModelConfig): LinearModule[] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const out: LinearModule[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    const p = layerPrefix(i);
    out.push(
      { name: `${p}.self_attn.q_proj`, inDim: c.hiddenSize, outDim: q },
      { name: `${p}.self_attn.k_proj`, inDim: c.hiddenSize, outDim: kv },
      { name: `${p}.self_attn.v_proj`, inDim: c.hiddenSize, outDim: kv },
      { name: `${p}.self_attn.o_proj`, inDim: q, outDim: c.hiddenSize },
      { name: `${p}.mlp.gate_proj`, inDim: c.hiddenSize, outDim: c.intermediateSize },
      { name: `${p}.mlp.up_proj`, inDim: c.hiddenSize, outDim: c.intermediateSize },
      { name: `${p}.mlp.down_proj`, inDim: c.intermediateSize, outDim: c.hiddenSize },
    );
  }
  return out;
}

/**
 * Llama / Mistral / Qwen2 / Qwen3 / Gemma 3 decoder with HF transformers semantics, weights kept in HF layout
 * [out, in]. What a family does differently is data (config.traits, engine/families/), not a subclass.
 */
export class LlamaModel implements CausalLM {
  readonly lora: LoraAdapters;
  private readonly weights = new Map<string, tf.Tensor>();
  /** Frozen matrices held by the native addon in their stored precision (wasm + addon, frozen base). */
  private readonly frozen = new Map<string, NativeMatrix>();
  private readonly traits: DecoderTraits;
  /** Inverse frequencies per distinct RoPE (Gemma 3: one for sliding, one for full layers). */
  private readonly invFreq = new Map<RopeSpec, Float32Array>();
  /** Stored dtype of the embedding table: Gemma's √hidden factor is cast to it, as transformers does. */
  private embedDtype = 'F32';
  private disposed = false;
  /** Per-layer activation recomputation in training (--gradient-checkpointing). */
  gradientCheckpointing = false;
  /** With gradientCheckpointing: the first this many layers recompute (the memory pre-flight's choice); undefined: all. */
  checkpointedLayers: number | undefined;

  setGradientCheckpointing(on: boolean, layers?: number): void {
    this.gradientCheckpointing = on;
    this.checkpointedLayers = layers;
  }

  constructor(
    readonly config: ModelConfig,
    private readonly trainableBase = false,
  ) {
    this.lora = new LoraAdapters(linearModules(config), (module, a, b, scale) => this.foldDelta(module, a, b, scale));
    this.traits = traitsOf(config);
    for (const l of this.traits.layers) if (!this.invFreq.has(l.rope)) this.invFreq.set(l.rope, inverseFrequencies(config, l.rope));
  }

  /** Reads every tensor one at a time into the backend; the JS copy of each is dropped before the next. */
  loadFrom(source: WeightSource): void {
    this.embedDtype = source.dtypeOf('model.embed_tokens.weight') ?? 'F32';
    const native = !this.trainableBase && nativeWeightsAvailable();
    for (const [key, shape] of expectedTensors(this.config)) {
      if (native && shape.length === 2) {
        const { dtype, bytes } = source.readStored(key, shape);
        if (dtype === 'F32' || dtype === 'BF16' || dtype === 'F16') {
          this.frozen.set(key, createNativeMatrix(bytes, dtype as StoredDtype, shape as [number, number]));
          continue;
        }
      }
      const { data } = source.read(key, shape);
      this.setWeight(key, tf.tensor(data, shape, 'float32'));
    }
  }

  /** Random initialisation (pretraining from scratch, tests): normal(0, 0.02) as HF's _init_weights, norms at 1. */
  initRandom(seed: number): void {
    let s = seed;
    for (const [key, shape] of expectedTensors(this.config)) {
      // (1 + w) norms start at w = 0, as transformers' Gemma3RMSNorm.
      const t = key.endsWith('norm.weight') ? (this.traits.normPlusOne ? tf.zeros(shape) : tf.ones(shape)) : key.endsWith('.bias') ? tf.zeros(shape) : tf.randomNormal(shape, 0, 0.02, 'float32', s++);
      this.setWeight(key, t);
    }
  }

  private setWeight(key: string, t: tf.Tensor): void {
    const old = this.weights.get(key);
    if (this.trainableBase) {
      this.weights.set(key, tf.variable(t, true, uniqueName(`base/${key}`)));
      t.dispose();
    } else {
      this.weights.set(key, t);
    }
    old?.dispose();
  }

  private w(key: string): tf.Tensor {
    const t = this.weights.get(key);
    if (!t) throw new Error(`model weight "${key}" is not loaded`);
    return t;
  }

  /** Base weights as trainable variables (only with trainableBase), in a stable order. */
  baseVariables(): tf.Variable[] {
    if (!this.trainableBase) return [];
    return [...expectedTensors(this.config).keys()].map((k) => this.w(k) as tf.Variable);
  }

  /** HF-named base weights (for saving a model trained from scratch). */
  baseWeights(): Map<string, tf.Tensor> {
    return new Map(this.weights);
  }

  /** Bytes of base weights held natively (outside the wasm heap). */
  nativeWeightBytes(): number {
    let n = 0;
    for (const m of this.frozen.values()) n += m.bytes;
    return n;
  }

  private foldDelta(module: string, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): void {
    const key = `${module}.weight`;
    const native = this.frozen.get(key);
    if (native) {
      // The merged weight is float32, as in the heap path: folding never rounds the adapter into bf16.
      const merged = tf.tidy(() => tf.add(tf.tensor2d(native.toFloat32(), native.shape), tf.mul(tf.matMul(b, a), scale)));
      this.frozen.set(key, createNativeMatrix(merged.dataSync() as Float32Array, 'F32', native.shape));
      merged.dispose();
      native.dispose();
      return;
    }
    const w = this.w(key);
    const merged = tf.tidy(() => tf.add(w, tf.mul(tf.matMul(b, a), scale)));
    if (this.trainableBase) {
      (w as tf.Variable).assign(merged);
      merged.dispose();
    } else {
      this.weights.set(key, merged);
      w.dispose();
    }
  }

  /** x · Wᵀ for a base weight [out, in], wherever it is held. */
  private matMulT(x: tf.Tensor2D, key: string): tf.Tensor2D {
    const native = this.frozen.get(key);
    return native ? frozenLinear(x, native) : tf.matMul(x, this.w(key) as tf.Tensor2D, false, true);
  }

  private linear(x: tf.Tensor2D, module: string, training: boolean, bias: boolean): tf.Tensor2D {
    let y = this.matMulT(x, `${module}.weight`);
    if (bias) y = tf.add(y, this.w(`${module}.bias`)) as tf.Tensor2D;
    const d = this.lora.delta(module, x, training);
    return (d ? tf.add(y, d) : y) as tf.Tensor2D;
  }

  private rmsNorm(x: tf.Tensor, key: string): tf.Tensor {
    const w = this.w(key) as tf.Tensor1D;
    return rmsNorm(x, this.traits.normPlusOne ? (tf.add(w, 1) as tf.Tensor1D) : w, this.config.rmsNormEps);
  }

  private embed(ids: tf.Tensor2D): tf.Tensor3D {
    const [B, T] = ids.shape;
    const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
    const native = this.frozen.get('model.embed_tokens.weight');
    const rows = native ? frozenRows(native, flat) : embed(this.w('model.embed_tokens.weight') as tf.Tensor2D, flat, this.trainableBase);
    const scaled = this.traits.scaleEmbeddings ? scaleEmbeddings(rows, this.config.hiddenSize, this.embedDtype) : rows;
    return tf.reshape(scaled, [B, T, this.config.hiddenSize]);
  }

  /** cos/sin [T, headDim/2] for positions offset..offset+T-1 (rotate-half convention). */
  private rope(offset: number, T: number, spec: RopeSpec): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
    const half = this.config.headDim / 2;
    const invFreq = this.invFreq.get(spec)!;
    const cos = new Float32Array(T * half);
    const sin = new Float32Array(T * half);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < half; i++) {
        // float32 angle as HF computes it: (pos · inv_freq) in float32.
        const ang = Math.fround((offset + t) * invFreq[i]);
        cos[t * half + i] = Math.cos(ang);
        sin[t * half + i] = Math.sin(ang);
      }
    }
    return { cos: tf.tensor2d(cos, [T, half]), sin: tf.tensor2d(sin, [T, half]) };
  }

  /**
   * Additive mask [B, 1, rep·T, past+T]: causal plus right padding of the keys; with a sliding window, query
   * position p also cannot see keys at or before p − window (transformers' sliding_window_overlay).
   */
  private attentionBias(B: number, T: number, past: number, keyMask?: tf.Tensor2D, window?: number): tf.Tensor4D {
    const rep = this.config.numHeads / this.config.numKvHeads;
    const S = past + T;
    const causal = new Float32Array(rep * T * S);
    for (let r = 0; r < rep; r++) {
      for (let t = 0; t < T; t++) {
        for (let s = past + t + 1; s < S; s++) causal[(r * T + t) * S + s] = NEG;
        if (window !== undefined) for (let s = 0; s <= past + t - window; s++) causal[(r * T + t) * S + s] = NEG;
      }
    }
    const c = tf.tensor4d(causal, [1, 1, rep * T, S]);
    if (!keyMask) return c;
    const pad = tf.mul(tf.sub(1, tf.cast(keyMask, 'float32')), NEG).reshape([B, 1, 1, S]);
    return tf.add(c, pad) as tf.Tensor4D;
  }

  private readonly keptForRecompute: tf.Tensor[] = [];

  /** A keeper for this pass's shared inputs; the previous pass's (whose backward is done) are freed now. */
  private keepUntilNextPass(): <X extends tf.Tensor | undefined>(t: X) => X {
    tf.dispose(this.keptForRecompute.splice(0));
    return <X extends tf.Tensor | undefined>(t: X): X => {
      if (!t) return t;
      const k = tf.keep(tf.clone(t));
      this.keptForRecompute.push(k);
      return k as X;
    };
  }

  /** Final hidden states [B, T, H] after the last norm; updates the cache in place when given one. */
  hidden(ids: tf.Tensor2D, attentionMask: tf.Tensor2D | undefined, training: boolean, cache?: KvCache): tf.Tensor3D {
    if (this.disposed) throw new Error('model has been disposed');
    const c = this.config;
    const [B, T] = ids.shape;
    const past = cache?.length ?? 0;
    const recompute = training && !cache && this.gradientCheckpointing && !this.trainableBase;
    // Recomputed layers read these again in the backward pass, after the forward scope has freed its tensors.
    const keep = recompute ? this.keepUntilNextPass() : <X extends tf.Tensor | undefined>(t: X) => t;
    attentionMask = keep(attentionMask);
    const ropes = new Map<RopeSpec, { cos: tf.Tensor2D; sin: tf.Tensor2D }>();
    const biases = new Map<number | undefined, tf.Tensor4D>();
    let x: tf.Tensor = this.embed(ids);
    for (let i = 0; i < c.numLayers; i++) {
      const layer = this.traits.layers[i];
      if (!ropes.has(layer.rope)) {
        const { cos, sin } = this.rope(past, T, layer.rope);
        ropes.set(layer.rope, { cos: keep(cos), sin: keep(sin) });
      }
      // A window at least as long as the sequence masks nothing: such layers run as full ones.
      const window = layer.slidingWindow !== undefined && layer.slidingWindow < past + T ? layer.slidingWindow : undefined;
      // Training and scoring (no cache) use the fused attention kernel where it can: causal + padding, no window.
      const fused = !cache && window === undefined && fusedAttentionAvailable();
      if (!fused && !biases.has(window)) biases.set(window, keep(this.attentionBias(B, T, past, attentionMask, window)));
      const mode = fused ? { attentionMask } : { bias: biases.get(window)!, cache };
      const rp = ropes.get(layer.rope)!;
      // One decoder layer; with gradient checkpointing its intermediates are recomputed in the backward pass.
      const block = (x: tf.Tensor): tf.Tensor => this.mlpBlock(tf.add(x, this.attentionBlock(x, i, rp, mode, training)), layerPrefix(i), B, T, training);
      x = recompute && i < (this.checkpointedLayers ?? c.numLayers) ? recomputed(block, x, this.lora.variablesUnder(`${layerPrefix(i)}.`), this.lora) : block(x);
    }
    if (cache) cache.length = past + T;
    return this.rmsNorm(x, 'model.norm.weight') as tf.Tensor3D;
  }

  /** The attention sub-layer's contribution to the residual stream, [B, T, H]. */
  private attentionBlock(
    x: tf.Tensor,
    i: number,
    { cos, sin }: { cos: tf.Tensor2D; sin: tf.Tensor2D },
    mode: { attentionMask: tf.Tensor2D | undefined } | { bias: tf.Tensor4D; cache: KvCache | undefined },
    training: boolean,
  ): tf.Tensor {
    const c = this.config;
    const [B, T] = x.shape;
    const past = 'cache' in mode ? (mode.cache?.length ?? 0) : 0;
    const rep = c.numHeads / c.numKvHeads;
    const hd = c.headDim;
    const scale = this.traits.attentionScale;
    const p = layerPrefix(i);
    const h = tf.reshape(this.rmsNorm(x, `${p}.input_layernorm.weight`), [B * T, c.hiddenSize]) as tf.Tensor2D;
    let q = tf.reshape(this.linear(h, `${p}.self_attn.q_proj`, training, c.attentionBias), [B, T, c.numHeads, hd]) as tf.Tensor4D;
    let k = tf.reshape(this.linear(h, `${p}.self_attn.k_proj`, training, c.attentionBias), [B, T, c.numKvHeads, hd]) as tf.Tensor4D;
    if (this.traits.qkNorm) {
      // Per head, over headDim, before RoPE (Qwen3, Gemma 3).
      q = this.rmsNorm(q, `${p}.self_attn.q_norm.weight`) as tf.Tensor4D;
      k = this.rmsNorm(k, `${p}.self_attn.k_norm.weight`) as tf.Tensor4D;
    }
    q = rope(q, cos, sin);
    k = rope(k, cos, sin);
    const v = tf.reshape(this.linear(h, `${p}.self_attn.v_proj`, training, c.attentionBias), [B, T, c.numKvHeads, hd]) as tf.Tensor4D;
    let attn: tf.Tensor2D;
    if ('attentionMask' in mode) {
      attn = tf.reshape(attention(q, k, v, mode.attentionMask, scale), [B * T, c.numHeads * hd]) as tf.Tensor2D;
    } else {
      let kh = tf.transpose(k, [0, 2, 1, 3]) as tf.Tensor4D; // [B, nKv, T, hd]
      let vh = tf.transpose(v, [0, 2, 1, 3]) as tf.Tensor4D;
      const cache = mode.cache;
      if (cache) {
        if (past > 0) {
          const [oldK, oldV] = [cache.keys[i], cache.values[i]];
          kh = tf.concat([oldK, kh], 2);
          vh = tf.concat([oldV, vh], 2);
          oldK.dispose();
          oldV.dispose();
        }
        cache.keys[i] = tf.keep(kh);
        cache.values[i] = tf.keep(vh);
      }
      // Query head j uses key/value head floor(j / rep) (HF repeat_kv): group the rep query heads of each
      // kv head along the time axis instead of copying keys and values rep times.
      const qh = tf.reshape(tf.transpose(tf.mul(q, scale), [0, 2, 1, 3]), [B, c.numKvHeads, rep * T, hd]);
      const probs = tf.softmax(tf.add(tf.matMul(qh, kh, false, true), mode.bias));
      const ctx = tf.reshape(tf.matMul(probs, vh), [B, c.numHeads, T, hd]);
      attn = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, c.numHeads * hd]) as tf.Tensor2D;
    }
    const out = tf.reshape(this.linear(attn, `${p}.self_attn.o_proj`, training, outputBias(c)), [B, T, c.hiddenSize]);
    // Gemma's post_attention_layernorm normalises the attention output; Llama's is the pre-MLP norm (mlpBlock).
    return this.traits.sandwichNorms ? this.rmsNorm(out, `${p}.post_attention_layernorm.weight`) : out;
  }

  /** x + down(act(gate(norm x)) · up(norm x)), Gemma: x + norm(down(...)) with its pre-feed-forward norm. */
  private mlpBlock(x: tf.Tensor, p: string, B: number, T: number, training: boolean): tf.Tensor {
    const c = this.config;
    const sandwich = this.traits.sandwichNorms;
    const h2 = tf.reshape(this.rmsNorm(x, sandwich ? `${p}.pre_feedforward_layernorm.weight` : `${p}.post_attention_layernorm.weight`), [B * T, c.hiddenSize]) as tf.Tensor2D;
    const gate = this.linear(h2, `${p}.mlp.gate_proj`, training, false);
    const up = this.linear(h2, `${p}.mlp.up_proj`, training, false);
    const act = this.traits.activation === 'gelu_tanh' ? geglu(gate, up) : swiglu(gate, up);
    const out = tf.reshape(this.linear(act, `${p}.mlp.down_proj`, training, false), [B, T, c.hiddenSize]);
    return tf.add(x, sandwich ? this.rmsNorm(out, `${p}.post_feedforward_layernorm.weight`) : out);
  }

  /** Output projection of hidden states [N, H] → logits [N, V] (soft-capped where the family does). */
  project(h: tf.Tensor2D): tf.Tensor2D {
    const logits = this.outputHead().forward(h);
    const cap = this.traits.finalLogitSoftcap;
    return cap === undefined ? logits : softcap(logits, cap);
  }

  private outputHead(): OutputHead {
    const key = this.config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    const native = this.frozen.get(key);
    if (native) {
      const head: OutputHead = { vocabSize: this.config.vocabSize, forward: (h) => frozenLinear(h, native), inputGrad: (dl) => frozenInputGrad(dl, native) };
      return fusedAvailable(FROZEN.headLogprobs) ? { ...head, targetLogprobs: (h, t) => frozenTargetLogprobs(h, t, native) } : head;
    }
    const W = this.w(key) as tf.Tensor2D;
    return {
      vocabSize: this.config.vocabSize,
      forward: (h) => tf.matMul(h, W, false, true),
      inputGrad: (dl) => tf.matMul(dl, W),
      trainableWeight: this.trainableBase ? W : undefined,
    };
  }

  logits(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const h = this.hidden(ids, attentionMask, opts?.training ?? false);
      return tf.reshape(this.project(tf.reshape(h, [B * T, this.config.hiddenSize])), [B, T, this.config.vocabSize]);
    });
  }

  tokenLogprobs(ids: tf.Tensor2D, attentionMask?: tf.Tensor2D, opts?: { training?: boolean }): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      if (T < 2) return tf.zeros([B, T]) as tf.Tensor2D;
      const H = this.config.hiddenSize;
      const h = this.hidden(ids, attentionMask, opts?.training ?? false);
      // Only positions 0..T-2 predict a token: skip the projection of the last one.
      const hPrev = tf.reshape(tf.slice(h, [0, 0, 0], [B, T - 1, H]), [B * (T - 1), H]) as tf.Tensor2D;
      const targets = tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [-1]) as tf.Tensor1D;
      // Soft-capped logits (rare: released Gemma 3 configs have none) take the one-shot path; the rest are
      // projected in chunks, so [B·T, vocab] float32 logits never exist at once.
      const picked = this.traits.finalLogitSoftcap === undefined ? chunkedTargetLogprobs(hPrev, targets, this.outputHead()) : logSoftmaxPick(this.project(hPrev), targets);
      let lp = tf.concat([tf.zeros([B, 1]), tf.reshape(picked, [B, T - 1])], 1) as tf.Tensor2D;
      if (attentionMask) lp = tf.mul(lp, tf.cast(attentionMask, 'float32'));
      return lp;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.lora.dispose();
    tf.dispose(this.keptForRecompute.splice(0));
    for (const t of this.weights.values()) t.dispose();
    this.weights.clear();
    for (const m of this.frozen.values()) m.dispose();
    this.frozen.clear();
  }
}
