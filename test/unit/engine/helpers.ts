import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writePeftAdapter } from '../../../src/trainer/engine/peft';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel, LoraSpec, ModelConfig } from '../../../src/trainer/engine';

export const BACKENDS = ['cpu', 'wasm'] as const;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cft-${prefix}-`));
}

/** A PEFT adapter with non-zero A and B on the given targets (deterministic). */
export function writeRandomAdapter(dir: string, config: ModelConfig, spec: LoraSpec, seed: number): void {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296 - 0.5;
  };
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  const dims: Record<string, [number, number]> = {
    q_proj: [config.hiddenSize, q],
    k_proj: [config.hiddenSize, kv],
    v_proj: [config.hiddenSize, kv],
    o_proj: [q, config.hiddenSize],
    gate_proj: [config.hiddenSize, config.intermediateSize],
    up_proj: [config.hiddenSize, config.intermediateSize],
    down_proj: [config.intermediateSize, config.hiddenSize],
  };
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  for (let l = 0; l < config.numLayers; l++) {
    for (const t of spec.targets) {
      const [inDim, outDim] = dims[t];
      const mod = `model.layers.${l}.${t.endsWith('_proj') && ['gate_proj', 'up_proj', 'down_proj'].includes(t) ? 'mlp' : 'self_attn'}.${t}`;
      const A = Float32Array.from({ length: spec.r * inDim }, () => rnd() * 0.8);
      const B = Float32Array.from({ length: outDim * spec.r }, () => rnd() * 0.8);
      tensors.set(`base_model.model.${mod}.lora_A.weight`, A);
      shapes.set(`base_model.model.${mod}.lora_A.weight`, [spec.r, inDim]);
      tensors.set(`base_model.model.${mod}.lora_B.weight`, B);
      shapes.set(`base_model.model.${mod}.lora_B.weight`, [outDim, spec.r]);
    }
  }
  writePeftAdapter(dir, spec, tensors, shapes, 'tiny');
}

export function maxAbsDiff(a: (number | null)[], b: (number | null)[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== null && b[i] !== null) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Scores all texts as one right-padded batch and returns each row's log-probs over its real tokens. */
export function engineLogprobs(m: LoadedModel, seqs: number[][]): (number | null)[][] {
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = seqs.map((s) => [...s, ...new Array(T - s.length).fill(m.tokenizer.padId)]);
  const mask = seqs.map((s) => Array.from({ length: T }, (_, t) => (t < s.length ? 1 : 0)));
  const lp = tf.tidy(() => m.model.tokenLogprobs(tf.tensor2d(ids, undefined, 'int32'), tf.tensor2d(mask, undefined, 'float32')));
  const rows = lp.arraySync() as number[][];
  lp.dispose();
  return rows.map((r, b) => r.slice(0, seqs[b].length).map((v, t) => (t === 0 ? null : v)));
}

/** The trainer entry bundled into out/<name>/trainer.js (inside the repository, so packages resolve from node_modules). */
export async function bundleTrainerCli(name: string): Promise<string> {
  const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
  const trainer = path.join(root, 'out', name, 'trainer.js');
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [path.join(root, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: trainer, packages: 'external', logLevel: 'error' });
  return trainer;
}

/** Runs the bundled CLI as a user would and collects its exit code and output. */
export function runCli(trainer: string, args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [trainer, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
