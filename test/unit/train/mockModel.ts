// A tiny stand-in causal LM for the training tests: a bigram model (frozen embedding and output matrix)
// with one LoRA pair on the output matrix, and a byte tokenizer. Small, deterministic, fast on cpu.
import * as tf from '@tensorflow/tfjs';
import { after, before } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoraControllerLike, LoraSpecLike, TokenizerLike, TrainableLM } from '../../../src/trainer/train/lm';
import type { ChatTemplateLike } from '../../../src/core/prompt/recordSegments';
import { detectFormat, normalizeRecord, type DpoRecord, type SftRecord, type UnpairedRecord } from '../../../src/core/datasets/records';
import { Rng } from '../../../src/trainer/train/rng';

export const BOS = 256;
export const EOS = 257;
export const PAD = 258;
const V = 260;
const H = 16;

export const byteTokenizer: TokenizerLike & { vocabSize: number } = {
  encode: (text, opts) => [...(opts?.addSpecialTokens === false ? [] : [BOS]), ...Buffer.from(text, 'utf8')],
  decode: (ids) => Buffer.from(ids.filter((i) => i < 256)).toString('utf8'),
  bosId: BOS,
  eosId: EOS,
  padId: PAD,
  vocabSize: V,
};

export const chatml: ChatTemplateLike = {
  render: (messages, opts) =>
    messages.map((m) => `<|${m.role}|>\n${m.content}<|end|>\n`).join('') + (opts?.addGenerationPrompt ? '<|assistant|>\n' : ''),
};

/** A JSONL record as the trainer's loader yields it (detected and normalized). */
export function sftRecord(raw: object): SftRecord | UnpairedRecord {
  return normalizeRecord(detectFormat(raw)!, raw as Record<string, unknown>) as SftRecord | UnpairedRecord;
}
export function dpoRecord(raw: object): DpoRecord {
  return normalizeRecord(detectFormat(raw)!, raw as Record<string, unknown>) as DpoRecord;
}

function randomMatrix(rng: Rng, rows: number, cols: number, scale: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * scale), [rows, cols]);
}

class MockLora implements LoraControllerLike {
  A?: tf.Variable;
  B?: tf.Variable;
  spec?: LoraSpecLike;
  enabled = true;
  constructor(private readonly owner: MockModel) {}

  get scale(): number {
    return this.spec ? this.spec.alpha / this.spec.r : 0;
  }
  attach(spec: LoraSpecLike, seed: number): void {
    this.A?.dispose();
    this.B?.dispose();
    this.spec = spec;
    this.A = tf.tidy(() => tf.variable(randomMatrix(Rng.fromSeed(seed, 1), spec.r, H, 1 / Math.sqrt(H)), true, `lora_A_${this.owner.uid}`));
    this.B = tf.tidy(() => tf.variable(tf.zeros([V, spec.r]), true, `lora_B_${this.owner.uid}`));
    this.enabled = true;
  }
  async loadTrainable(dir: string): Promise<LoraSpecLike> {
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'mock_adapter.json'), 'utf8')) as { spec: LoraSpecLike; A: number[]; B: number[] };
    this.attach(saved.spec, 0);
    this.A!.assign(tf.tensor2d(saved.A, [saved.spec.r, H]));
    this.B!.assign(tf.tensor2d(saved.B, [V, saved.spec.r]));
    return saved.spec;
  }
  async fold(dir: string): Promise<void> {
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'mock_adapter.json'), 'utf8')) as { spec: LoraSpecLike; A: number[]; B: number[] };
    const scale = saved.spec.alpha / saved.spec.r;
    const delta = tf.tidy(() => tf.matMul(tf.tensor2d(saved.A, [saved.spec.r, H]), tf.tensor2d(saved.B, [V, saved.spec.r]), true, true).mul(scale));
    const next = this.owner.W.add(delta);
    this.owner.W.dispose();
    delta.dispose();
    this.owner.W = next as tf.Tensor2D;
  }
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }
  trainableVariables(): tf.Variable[] {
    return this.A && this.B ? [this.A, this.B] : [];
  }
  getState(): Map<string, Float32Array> {
    return new Map(this.trainableVariables().map((v, i) => [i === 0 ? 'lora_A' : 'lora_B', (v.dataSync() as Float32Array).slice()]));
  }
  setState(state: Map<string, Float32Array>): void {
    tf.tidy(() => this.trainableVariables().forEach((v, i) => v.assign(tf.tensor(state.get(i === 0 ? 'lora_A' : 'lora_B')!, v.shape))));
  }
  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'mock_adapter.json'), JSON.stringify({ spec: this.spec, A: Array.from(this.A!.dataSync()), B: Array.from(this.B!.dataSync()) }));
  }
}

let uids = 0;

export class MockModel implements TrainableLM {
  readonly uid = ++uids;
  E: tf.Tensor2D;
  W: tf.Tensor2D;
  readonly lora = new MockLora(this);
  /** Calls of tokenLogprobs after which it returns NaN (a stand-in for a diverged model). */
  poisonAfter = Infinity;
  calls = 0;

  constructor(seed = 1) {
    const rng = Rng.fromSeed(seed);
    this.E = randomMatrix(rng, V, H, 1);
    this.W = randomMatrix(rng, H, V, 0.3);
  }

  tokenLogprobs(ids: tf.Tensor2D): tf.Tensor2D {
    this.calls++;
    const poisoned = this.calls > this.poisonAfter;
    return tf.tidy(() => {
      const [b, t] = ids.shape;
      const h = tf.gather(this.E, ids.reshape([-1])) as tf.Tensor2D; // [B*T, H]
      let logits = tf.matMul(h, this.W);
      if (this.lora.enabled && this.lora.A && this.lora.B) logits = logits.add(tf.matMul(tf.matMul(h, this.lora.A, false, true), this.lora.B, false, true).mul(this.lora.scale));
      const lp = tf.logSoftmax(logits).reshape([b, t, V]);
      const prev = lp.slice([0, 0, 0], [b, t - 1, V]);
      const next = ids.slice([0, 1], [b, t - 1]);
      const picked = prev.mul(tf.oneHot(next, V)).sum(2);
      const out = tf.concat([tf.zeros([b, 1]), picked], 1) as tf.Tensor2D;
      return poisoned ? (out.mul(NaN) as tf.Tensor2D) : out;
    });
  }

  dispose(): void {
    this.E.dispose();
    this.W.dispose();
    this.lora.trainableVariables().forEach((v) => v.dispose());
  }
}

/**
 * A temporary folder with a mock model folder (config.json) for run tests on the cpu backend, removed after the
 * file's tests; `writeJsonl` puts a dataset into it.
 */
export function mockRunFolder(prefix: string): { tmp: string; modelDir: string; writeJsonl: (name: string, rows: unknown[]) => string } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const modelDir = path.join(tmp, 'model');
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  before(async () => {
    await tf.setBackend('cpu');
    fs.mkdirSync(modelDir, { recursive: true });
    fs.writeFileSync(path.join(modelDir, 'config.json'), '{"mock":true}');
  });
  const writeJsonl = (name: string, rows: unknown[]): string => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return file;
  };
  return { tmp, modelDir, writeJsonl };
}
