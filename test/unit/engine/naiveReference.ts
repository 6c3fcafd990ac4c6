// A deliberately naive float64 Llama/Qwen2 forward in plain loops, sharing no code with the engine:
// it decodes safetensors itself and follows HF transformers' modeling_llama.py step by step.
import * as fs from 'node:fs';
import * as path from 'node:path';

type Tensors = Map<string, { shape: number[]; data: Float64Array }>;

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
    into.set(name, { shape: e.shape, data: out });
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

  private rmsNorm(x: number[], weight: string): number[] {
    const g = this.get(weight);
    let ms = 0;
    for (const v of x) ms += v * v;
    ms /= x.length;
    const inv = 1 / Math.sqrt(ms + (this.cfg.rms_norm_eps as number));
    return x.map((v, i) => v * inv * g[i]);
  }

  /** modeling_rope_utils.py: default, linear (÷ factor) and llama3 (low frequencies ÷ factor, smooth band). */
  private frequency(i: number, headDim: number, theta: number): number {
    const f = Math.pow(theta, -(2 * i) / headDim);
    const rs = this.cfg.rope_scaling as Record<string, number> | undefined;
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

  private rope(vec: number[], pos: number, headDim: number): number[] {
    const theta = (this.cfg.rope_theta as number) ?? 10000;
    const out = vec.slice();
    const half = headDim / 2;
    for (let i = 0; i < half; i++) {
      const ang = pos * this.frequency(i, headDim, theta);
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
    const hd = H / nH;
    const L = c.num_hidden_layers as number;
    const bias = (c.architectures as string[])[0] === 'Qwen2ForCausalLM' || c.attention_bias === true;
    const E = this.get('model.embed_tokens.weight');
    let xs = ids.map((id) => Array.from(E.subarray(id * H, (id + 1) * H)));
    for (let l = 0; l < L; l++) {
      const p = `model.layers.${l}`;
      const qs: number[][][] = [];
      const ks: number[][][] = [];
      const vs: number[][][] = [];
      xs.forEach((x, t) => {
        const h = this.rmsNorm(x, `${p}.input_layernorm.weight`);
        const q = this.linear(h, `${p}.self_attn.q_proj`, bias);
        const k = this.linear(h, `${p}.self_attn.k_proj`, bias);
        const v = this.linear(h, `${p}.self_attn.v_proj`, bias);
        qs.push(Array.from({ length: nH }, (_, j) => this.rope(q.slice(j * hd, (j + 1) * hd), t, hd)));
        ks.push(Array.from({ length: nKV }, (_, j) => this.rope(k.slice(j * hd, (j + 1) * hd), t, hd)));
        vs.push(Array.from({ length: nKV }, (_, j) => v.slice(j * hd, (j + 1) * hd)));
      });
      xs = xs.map((x, t) => {
        const attn: number[] = [];
        for (let j = 0; j < nH; j++) {
          const kvh = this.mut.gqaModulo ? j % nKV : Math.floor(j / (nH / nKV));
          const scores: number[] = [];
          for (let s = 0; s <= t; s++) {
            let d = 0;
            for (let i = 0; i < hd; i++) d += qs[t][j][i] * ks[s][kvh][i];
            scores.push(d / Math.sqrt(hd));
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
        const x1 = x.map((v, i) => v + o[i]);
        const h2 = this.rmsNorm(x1, `${p}.post_attention_layernorm.weight`);
        const g = this.linear(h2, `${p}.mlp.gate_proj`, false);
        const u = this.linear(h2, `${p}.mlp.up_proj`, false);
        const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]);
        const d = this.linear(act, `${p}.mlp.down_proj`, false);
        return x1.map((v, i) => v + d[i]);
      });
    }
    const head = c.tie_word_embeddings ? E : this.get('lm_head.weight');
    const V = c.vocab_size as number;
    const out: (number | null)[] = [null];
    for (let t = 0; t + 1 < ids.length; t++) {
      const h = this.rmsNorm(xs[t], 'model.norm.weight');
      const logits = new Float64Array(V);
      for (let v = 0; v < V; v++) {
        let s = 0;
        for (let i = 0; i < H; i++) s += head[v * H + i] * h[i];
        logits[v] = s;
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
