import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES } from '../../core/runFolder';
import { syncDirectory, writeFileAtomic } from '../../core/node/atomicWrite';
import type { AdamWState } from './optimizer';
import type { DataPosition } from './batching';

/** Everything --resume needs to continue exactly where a run stopped. */
export interface TrainerState {
  step: number;
  position: DataPosition;
  rngState: number;
  adapter: Map<string, Float32Array>;
  optimizer: AdamWState;
  /** Running totals carried into later metrics. */
  numTokens: number;
}

interface TensorEntry {
  name: string;
  offset: number;
  length: number;
}

interface StateIndex {
  format: 'clinical-ft-checkpoint/1';
  step: number;
  position: DataPosition;
  rngState: number;
  optimizerStep: number;
  numTokens: number;
  adapter: TensorEntry[];
  m: TensorEntry[];
  v: TensorEntry[];
}

const STATE_JSON = 'trainer_state.json';
/** A checkpoint being written; one left behind was cut off (kill -9, power loss). */
const TMP_PREFIX = '.tmp-step-';
const STATE_BIN = 'trainer_state.bin';

export function checkpointsDir(runDir: string): string {
  return path.join(runDir, RUN_FILES.checkpoints);
}

/**
 * Writes checkpoints/step-N atomically: into a temporary folder first (adapter in PEFT format for
 * people, trainer_state.{json,bin} for --resume), renamed into place only when complete. Older
 * checkpoints beyond `keep` are removed afterwards.
 */
export async function saveCheckpoint(
  runDir: string,
  state: TrainerState,
  saveAdapter: (dir: string) => Promise<void>,
  keep = 2,
): Promise<string> {
  const root = checkpointsDir(runDir);
  fs.mkdirSync(root, { recursive: true });
  const final = path.join(root, `step-${state.step}`);
  const tmp = path.join(root, `${TMP_PREFIX}${state.step}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  await saveAdapter(path.join(tmp, RUN_FILES.adapter));
  const chunks: Float32Array[] = [];
  let offset = 0;
  const entries = (named: [string, Float32Array][]): TensorEntry[] =>
    named.map(([name, a]) => {
      chunks.push(a);
      const e = { name, offset, length: a.length };
      offset += a.length;
      return e;
    });
  const index: StateIndex = {
    format: 'clinical-ft-checkpoint/1',
    step: state.step,
    position: state.position,
    rngState: state.rngState,
    optimizerStep: state.optimizer.step,
    numTokens: state.numTokens,
    adapter: entries([...state.adapter.entries()]),
    m: entries(state.optimizer.m.map((a, i) => [String(i), a])),
    v: entries(state.optimizer.v.map((a, i) => [String(i), a])),
  };
  const bin = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) {
    bin.set(c, o);
    o += c.length;
  }
  writeFileAtomic(path.join(tmp, STATE_BIN), new Uint8Array(bin.buffer));
  writeFileAtomic(path.join(tmp, STATE_JSON), `${JSON.stringify(index)}\n`);
  // Its entries (the adapter folder too) must be durable before the folder gets its real name, and the
  // rename itself before older checkpoints are deleted: a power loss keeps one complete checkpoint.
  syncDirectory(tmp);
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(tmp, final);
  syncDirectory(root);
  const steps = listCheckpoints(runDir);
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) fs.rmSync(path.join(root, `step-${s}`), { recursive: true, force: true });
  return final;
}

/**
 * Deletes half-written checkpoint folders left by a trainer that was killed while saving. Called by the
 * trainer that has just taken the run lock, so no other trainer can be writing one.
 */
export function removeStaleCheckpointTemps(runDir: string): string[] {
  const root = checkpointsDir(runDir);
  if (!fs.existsSync(root)) return [];
  const stale = fs.readdirSync(root).filter((n) => n.startsWith(TMP_PREFIX));
  for (const n of stale) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  return stale;
}

/** Steps of the complete checkpoints, ascending (half-written temporaries are ignored). */
export function listCheckpoints(runDir: string): number[] {
  const root = checkpointsDir(runDir);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(root, m[0], STATE_JSON)))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export function loadCheckpoint(runDir: string, step: number): TrainerState {
  const dir = path.join(checkpointsDir(runDir), `step-${step}`);
  const index = JSON.parse(fs.readFileSync(path.join(dir, STATE_JSON), 'utf8')) as StateIndex;
  if (index.format !== 'clinical-ft-checkpoint/1') throw new Error(`${dir}: unknown checkpoint format ${String(index.format)}`);
  const buf = fs.readFileSync(path.join(dir, STATE_BIN));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const take = (e: TensorEntry) => {
    if (e.offset + e.length > all.length) throw new Error(`${dir}: ${STATE_BIN} is shorter than its index says`);
    return all.slice(e.offset, e.offset + e.length);
  };
  return {
    step: index.step,
    position: index.position,
    rngState: index.rngState,
    numTokens: index.numTokens,
    adapter: new Map(index.adapter.map((e) => [e.name, take(e)])),
    optimizer: { step: index.optimizerStep, m: index.m.map(take), v: index.v.map(take) },
  };
}
