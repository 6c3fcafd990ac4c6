// A deliberately naive float64 Llama/Qwen2/Qwen3/Gemma 3 forward in plain loops, sharing no code with the engine:
// it decodes safetensors itself and follows HF transformers' modeling_llama.py, modeling_qwen3.py and
// modeling_gemma3.py step by step.
import * as fs from 'node:fs';
import * as path from 'node:path';

type Tensors = Map<string, { shape: number[]; data: Float64Array; dtype: string }>;

function decodeFile(file: string, into: Tensors): void {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b] = e.data_offsets;
    const count = e.shape.reduce((x, y) => x * y, 1);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      if (e.dtype === 'F32') out[i] = buf.readFloatLE(base + b + 4 * i);
      else if (e.dtype === 'BF16') {
        const tmp = Buffer.alloc(4);
        tmp.writeUInt16LE(buf.readUInt16LE(base + b + 2 * i), 2);
        out[i] = tmp.readFloatLE(0);
      } else if (e.dtype === 'F16') {
        const h = buf.readUInt16LE(base + b + 2 * i);
        const s = h >> 15 ? -1 : 1;
        const ex = (h >> 10) & 31;
        const f = h & 1023;
        out[i] = ex === 0 ? s * f * Math.pow(2, -24) : s * (1 + f / 1024) * Math.pow(2, ex - 15);
      } else throw new Error(`reference: dtype ${e.dtype}`);
    }
    into.set(name, { shape: e.shape, data: out, dtype: e.dtype });
  }
}

export function readAllTensors(dir: string, file?: string): Tensors {
  const t: Tensors = new Map();
  if (file) {
    decodeFile(path.join(dir, file), t);
    return t;
  }
  const index = path.join(dir, 'model.safetensors.index.json');
  if (fs.existsSync(index)) {
    const map = JSON.parse(fs.readFileSync(index, 'utf8')).weight_map as Record<string, string>;
    for (const shard of new Set(Object.values(map))) decodeFile(path.join(dir, shard), t);
  } else decodeFile(path.join(dir, 'model.safetensors'), t);
  return t;
}

/** Deliberate mistakes the parity test must detect. */
export interface Mutation {
  interleavedRope?: boolean;
  gqaModulo?: boolean;
  ignoreRslora?: boolean;
  /** Qwen3 / Gemma 3: q/k RMSNorm applied after RoPE instead of before. */
  qkNormAfterRope?: boolean;
  /** Gemma 3: norms scale by w instead of 1 + w. */
  plainNormWeight?: boolean;
  /** Gemma 3: embeddings not multiplied by √hidden. */
  noEmbedScale?: boolean;
  /** Gemma 3: √hidden kept in float64 instead of cast to the embedding dtype. */
  embedScaleInFloat64?: boolean;
  /** Gemma 3: sliding layers use rope_theta instead of rope_local_base_freq. */
  globalRopeOnLocalLayers?: boolean;
  /** Gemma 3 / Qwen3: sliding layers attend to the whole prefix. */
  noSlidingWindow?: boolean;
  /** Gemma 3: scores scaled by 1/√head_dim instead of query_pre_attn_scalar^-½. */
  headDimScaling?: boolean;
  /** Gemma 3: exact erf gelu instead of the tanh approximation. */
  erfGelu?: boolean;
  /** Gemma 3: SwiGLU (silu) instead of GeGLU. */
  siluMlp?: boolean;
}

/** Round-to-nearest-even to a stored dtype, via the bit patterns (independent of the engine's helpers). */
function roundTo(x: number, dtype: string): number {
  const f = new Float32Array([x]);
  if (dtype === 'F32') return f[0];
  if (dtype === 'BF16') {
    const u = new Uint32Array(f.buffer);
    u[0] = ((u[0] + 0x7fff + ((u[0] >>> 16) & 1)) >>> 16) << 16;
    return f[0];
  }
  if (dtype === 'F16') {
    // 11 significant bits for normal halfs: round the float64 value on that grid.
    const e = Math.floor(Math.log2(Math.abs(x)));
    const ulp = Math.pow(2, Math.max(e, -14) - 10);
    const q = x / ulp;
    const r = Math.round(q);
    const even = Math.abs(q - Math.trunc(q)) === 0.5 ? 2 * Math.round(q / 2) : r;
    return even * ulp;
  }
  throw new Error(`reference: dtype ${dtype}`);
}

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse; use the series / continued fraction to float64 accuracy.
  const t = Math.abs(x);
  if (t < 3) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 200; n++) {
      term *= (-t * t) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - Math.exp(-t * t) / (t * Math.sqrt(Math.PI)));
}

export interface Adapter {
  dir: string;
  /** Fallback when adapter_config.json is read: alpha/r or alpha/√r. */
}

export class NaiveLlama {
  private readonly w: Tensors;
  private readonly cfg: Record<string, unknown>;
  private readonly lora = new Map<string, { a: Float64Array; b: Float64Array; r: number; inDim: number; outDim: number }>();
  private loraScale = 0;

  constructor(dir: string, private readonly mut: Mutation = {}) {
    this.cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    this.w = readAllTensors(dir);
  }

  addAdapter(dir: string): void {
    const ac = JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8'));
    const r = ac.r as number;
    this.loraScale = ac.use_rslora && !this.mut.ignoreRslora ? ac.lora_alpha / Math.sqrt(r) : ac.lora_alpha / r;
    const t = readAllTensors(dir, 'adapter_model.safetensors');
    for (const [key, v] of t) {
      const m = /^base_model\.model\.(.+)\.lora_A\.weight$/.exec(key);
      if (!m) continue;
      const b = t.get(`base_model.model.${m[1]}.lora_B.weight`)!;
      this.lora.set(m[1], { a: v.data, b: b.data, r, inDim: v.shape[1], outDim: b.shape[0] });
    }
  }

  private get(name: string): Float64Array {
    const t = this.w.get(name);
    if (!t) throw new Error(`reference: missing ${name}`);
    return t.data;
  }

  private linear(x: number[], module: string, withBias: boolean): number[] {
    const W = this.w.get(`${module}.weight`)!;
    const [out, inp] = W.shape;
    const y = new Array<number>(out).fill(0);
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let i = 0; i < inp; i++) s += W.data[o * inp + i] * x[i];
      y[o] = s;
    }
    if (withBias) {
      const b = this.get(`${module}.bias`);
      for (let o = 0; o < out; o++) y[o] += b[o];
    }
    const l = this.lora.get(module);
    if (l) {
      const ax = new Array<number>(l.r).fill(0);
      for (let k = 0; k < l.r; k++) for (let i = 0; i < inp; i++) ax[k] += l.a[k * inp + i] * x[i];
      for (let o = 0; o < out; o++) {
        let s = 0;
        for (let k = 0; k < l.r; k++) s += l.b[o * l.r + k] * ax[k];
        y[o] += this.loraScale * s;
      }
    }
    return y;
  }

  private get gemma(): boolean {
    return (this.cfg.architectures as string[])[0] === 'Gemma3ForCausalLM';
  }

  private get qwen3(): boolean {
    return (this.cfg.architectures as string[])[0] === 'Qwen3ForCausalLM';
  }

  private rmsNorm(x: number[], weight: string): number[] {
    const g = this.get(weight);
    let ms = 0;
    for (const v of x) ms += v * v;
    ms /= x.length;
    const inv = 1 / Math.sqrt(ms + ((this.cfg.rms_norm_eps as number | undefined) ?? 1e-6));
    const plusOne = this.gemma && !this.mut.plainNormWeight;
    return x.map((v, i) => v * inv * (plusOne ? 1 + g[i] : g[i]));
  }

  /** "full_attention" or "sliding_attention" for layer l, as the transformers configs derive it. */
  private layerType(l: number): string {
    const c = this.cfg;
    if (Array.isArray(c.layer_types)) return c.layer_types[l] as string;
    if (this.gemma) return (l + 1) % ((c.sliding_window_pattern as number | undefined) ?? 6) === 0 ? 'full_attention' : 'sliding_attention';
    if (this.qwen3 && c.use_sliding_window === true && c.sliding_window != null) return l >= ((c.max_window_layers as number | undefined) ?? 28) ? 'sliding_attention' : 'full_attention';
    return 'full_attention';
  }

  /** RoPE base of a layer: rope_parameters (per layer type for Gemma 3) or rope_theta / rope_local_base_freq. */
  private ropeTheta(l: number): number {
    const c = this.cfg;
    const local = this.gemma && this.layerType(l) === 'sliding_attention' && !this.mut.globalRopeOnLocalLayers;
    const rp = c.rope_parameters as Record<string, Record<string, number>> | undefined;
    if (rp) {
      if (this.gemma) return rp[local ? 'sliding_attention' : 'full_attention'].rope_theta;
      return (rp as unknown as Record<string, number>).rope_theta;
    }
    if (local) return (c.rope_local_base_freq as number | undefined) ?? 10000;
    return (c.rope_theta as number | undefined) ?? (this.gemma ? 1e6 : 10000);
  }

  /** modeling_rope_utils.py: default, linear (÷ factor) and llama3 (low frequencies ÷ factor, smooth band). */
  private frequency(i: number, headDim: number, theta: number, rs: Record<string, number> | undefined): number {
    const f = Math.pow(theta, -(2 * i) / headDim);
    const type = (rs as Record<string, unknown> | undefined)?.rope_type ?? (rs as Record<string, unknown> | undefined)?.type;
    if (!rs || type === 'default') return f;
    if (type === 'linear') return f / rs.factor;
    const old = rs.original_max_position_embeddings;
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < old / rs.high_freq_factor) return f;
    if (wavelen > old / rs.low_freq_factor) return f / rs.factor;
    const smooth = (old / wavelen - rs.low_freq_factor) / (rs.high_freq_factor - rs.low_freq_factor);
    return (1 - smooth) * (f / rs.factor) + smooth * f;
  }

  /** rope_scaling, or the scaling fields of rope_parameters; Gemma's sliding layers never scale. */
  private ropeScaling(l: number): Record<string, number> | undefined {
    if (this.gemma && this.layerType(l) === 'sliding_attention') return undefined;
    const rp = this.cfg.rope_parameters as Record<string, unknown> | undefined;
    if (rp) return (this.gemma ? rp.full_attention : rp) as Record<string, number>;
    return this.cfg.rope_scaling as Record<string, number> | undefined;
  }

  private rope(vec: number[], pos: number, headDim: number, theta: number, rs: Record<string, number> | undefined): number[] {
    const out = vec.slice();
    const half = headDim / 2;
    for (let i = 0; i < half; i++) {
      const ang = pos * this.frequency(i, headDim, theta, rs);
      const c = Math.cos(ang);
      const s = Math.sin(ang);
      if (this.mut.interleavedRope) {
        const a = vec[2 * i];
        const b = vec[2 * i + 1];
        out[2 * i] = a * c - b * s;
        out[2 * i + 1] = b * c + a * s;
      } else {
        const a = vec[i];
        const b = vec[i + half];
        out[i] = a * c - b * s;
        out[i + half] = b * c + a * s;
      }
    }
    return out;
  }

  /** log p(ids[t] | ids[<t]) for t ≥ 1 (index 0 is null). */
  logprobs(ids: number[]): (number | null)[] {
    const c = this.cfg;
    const H = c.hidden_size as number;
    const nH = c.num_attention_heads as number;
    const nKV = (c.num_key_value_heads as number) ?? nH;
    const hd = (c.head_dim as number | undefined) ?? (this.gemma ? 256 : this.qwen3 ? 128 : H / nH);
    const L = c.num_hidden_layers as number;
    const bias = (c.architectures as string[])[0] === 'Qwen2ForCausalLM' || c.attention_bias === true;
    const E = this.get('model.embed_tokens.weight');
    let xs = ids.map((id) => Array.from(E.subarray(id * H, (id + 1) * H)));
    if (this.gemma && !this.mut.noEmbedScale) {
      // Gemma3TextScaledWordEmbedding: embed · embed_scale.to(weight.dtype), the product in that dtype too.
      const dtype = this.w.get('model.embed_tokens.weight')!.dtype;
      const scale = this.mut.embedScaleInFloat64 ? Math.sqrt(H) : roundTo(Math.sqrt(H), dtype);
      xs = xs.map((x) => x.map((v) => (this.mut.embedScaleInFloat64 ? v * scale : roundTo(v * scale, dtype))));
    }
    const scaling = this.gemma && !this.mut.headDimScaling ? Math.pow((c.query_pre_attn_scalar as number | undefined) ?? 256, -0.5) : 1 / Math.sqrt(hd);
    const tie = c.tie_word_embeddings ?? this.gemma;
    for (let l = 0; l < L; l++) {
      const p = `model.layers.${l}`;
      const theta = this.ropeTheta(l);
      const rs = this.ropeScaling(l);
      const window = this.layerType(l) === 'sliding_attention' && !this.mut.noSlidingWindow ? (c.sliding_window as number) : Infinity;
      const qkNorm = this.gemma || this.qwen3;
      const headOp = (vec: number[], t: number, norm: string): number[] => {
        if (!qkNorm) return this.rope(vec, t, hd, theta, rs);
        if (this.mut.qkNormAfterRope) return this.rmsNorm(this.rope(vec, t, hd, theta, rs), norm);
        return this.rope(this.rmsNorm(vec, norm), t, hd, theta, rs);
      };
      const qs: number[][][] = [];
      const ks: number[][][] = [];
      const vs: number[][][] = [];
      xs.forEach((x, t) => {
        const h = this.rmsNorm(x, `${p}.input_layernorm.weight`);
        const q = this.linear(h, `${p}.self_attn.q_proj`, bias);
        const k = this.linear(h, `${p}.self_attn.k_proj`, bias);
        const v = this.linear(h, `${p}.self_attn.v_proj`, bias);
        qs.push(Array.from({ length: nH }, (_, j) => headOp(q.slice(j * hd, (j + 1) * hd), t, `${p}.self_attn.q_norm.weight`)));
        ks.push(Array.from({ length: nKV }, (_, j) => headOp(k.slice(j * hd, (j + 1) * hd), t, `${p}.self_attn.k_norm.weight`)));
        vs.push(Array.from({ length: nKV }, (_, j) => v.slice(j * hd, (j + 1) * hd)));
      });
      xs = xs.map((x, t) => {
        const attn: number[] = [];
        for (let j = 0; j < nH; j++) {
          const kvh = this.mut.gqaModulo ? j % nKV : Math.floor(j / (nH / nKV));
          const scores: number[] = [];
          // Keys visible from query t: s ≤ t, and s > t − window on sliding layers.
          const first = Math.max(0, window === Infinity ? 0 : t - window + 1);
          for (let s = 0; s <= t; s++) {
            let d = 0;
            for (let i = 0; i < hd; i++) d += qs[t][j][i] * ks[s][kvh][i];
            d *= scaling;
            // attn_logit_softcapping: Gemma3Attention never hands it to the attention function (transformers).
            scores.push(s >= first ? d : -Infinity);
          }
          const m = Math.max(...scores);
          const e = scores.map((v) => Math.exp(v - m));
          const z = e.reduce((a, b) => a + b, 0);
          for (let i = 0; i < hd; i++) {
            let acc = 0;
            for (let s = 0; s <= t; s++) acc += (e[s] / z) * vs[s][kvh][i];
            attn.push(acc);
          }
        }
        const o = this.linear(attn, `${p}.self_attn.o_proj`, bias && (c.architectures as string[])[0] !== 'Qwen2ForCausalLM');
        if (this.gemma) {
          // Gemma3DecoderLayer: norm the attention output, then a pre- and post-normed GeGLU MLP.
          const on = this.rmsNorm(o, `${p}.post_attention_layernorm.weight`);
          const x1 = x.map((v, i) => v + on[i]);
          const h2 = this.rmsNorm(x1, `${p}.pre_feedforward_layernorm.weight`);
          const g = this.linear(h2, `${p}.mlp.gate_proj`, false);
          const u = this.linear(h2, `${p}.mlp.up_proj`, false);
          const gelu = (v: number): number => (this.mut.siluMlp ? v / (1 + Math.exp(-v)) : this.mut.erfGelu ? 0.5 * v * (1 + erf(v / Math.SQRT2)) : 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
          const act = g.map((gv, i) => gelu(gv) * u[i]);
          const d = this.rmsNorm(this.linear(act, `${p}.mlp.down_proj`, false), `${p}.post_feedforward_layernorm.weight`);
          return x1.map((v, i) => v + d[i]);
        }
        const x1 = x.map((v, i) => v + o[i]);
        const h2 = this.rmsNorm(x1, `${p}.post_attention_layernorm.weight`);
        const g = this.linear(h2, `${p}.mlp.gate_proj`, false);
        const u = this.linear(h2, `${p}.mlp.up_proj`, false);
        const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]);
        const d = this.linear(act, `${p}.mlp.down_proj`, false);
        return x1.map((v, i) => v + d[i]);
      });
    }
    const head = tie ? E : this.get('lm_head.weight');
    const finalCap = this.gemma ? (c.final_logit_softcapping as number | null | undefined) : undefined;
    const V = c.vocab_size as number;
    const out: (number | null)[] = [null];
    for (let t = 0; t + 1 < ids.length; t++) {
      const h = this.rmsNorm(xs[t], 'model.norm.weight');
      const logits = new Float64Array(V);
      for (let v = 0; v < V; v++) {
        let s = 0;
        for (let i = 0; i < H; i++) s += head[v * H + i] * h[i];
        logits[v] = finalCap ? Math.tanh(s / finalCap) * finalCap : s;
      }
      let m = -Infinity;
      for (const v of logits) m = Math.max(m, v);
      let z = 0;
      for (const v of logits) z += Math.exp(v - m);
      out.push(logits[ids[t + 1]] - m - Math.log(z));
    }
    return out;
  }
}
