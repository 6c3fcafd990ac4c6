// The memory pre-flight: before weights are read (and again before a forward pass whose length is only known
// then), estimate the peak with src/core/memory and refuse with the numbers when it cannot fit — never a wasm
// `Aborted()`, `memory access out of bounds` or a V8 heap crash halfway through.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel, ModelConfig } from './types';
import { describeEstimate, estimateMemory, fitCheckpointing, memoryRefusal, type MemoryEstimate, type MemoryLimits, type MemoryRequest, type MemoryTask, type ModelShape } from '../../core/memory/memoryEstimate';
import { nativeWeightsAvailable } from '../kernels/frozenWeights';
import { logitChunkRows } from './chunkedHead';

export class MemoryRefusal extends Error {}

/** What the caller is about to run; the rest (precision, where weights live, limits) is read here. */
export interface MemoryPlan {
  task: MemoryTask;
  batchSize: number;
  maxLength: number;
  loraR?: number;
  loraTargets?: string[];
  /** true/false as asked; undefined: on only when the run does not fit without it. */
  gradientCheckpointing?: boolean;
}

/** wasm32 addresses at most 4 GiB; the cpu backend's typed arrays are bounded by RAM only. */
const WASM_HEAP_BYTES = 4 * 1024 ** 3;

export function modelShape(c: ModelConfig): ModelShape {
  return {
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    numHeads: c.numHeads,
    numKvHeads: c.numKvHeads,
    headDim: c.headDim,
    intermediateSize: c.intermediateSize,
    tieWordEmbeddings: c.tieWordEmbeddings,
    attentionBias: c.attentionBias,
    ...(c.traits ? { traits: { qkNorm: c.traits.qkNorm, sandwichNorms: c.traits.sandwichNorms, activation: c.traits.activation } } : {}),
  };
}

/** MemAvailable (what the kernel can give without swapping), else free memory; CLINICAL_FT_MEMORY_LIMIT_MB caps it. */
export function availableMemory(): number {
  let avail = os.freemem();
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) avail = Number(m[1]) * 1024;
  } catch {
    // Not Linux: os.freemem() it is.
  }
  const cap = Number(process.env.CLINICAL_FT_MEMORY_LIMIT_MB);
  // What this process already holds is its own, not competition.
  const own = process.memoryUsage().rss;
  return Math.min(avail + own, cap > 0 ? cap * 1024 * 1024 : Infinity);
}

export function memoryLimits(): MemoryLimits {
  return { ...(tf.getBackend() === 'wasm' ? { heapBytes: WASM_HEAP_BYTES } : {}), availableBytes: availableMemory() };
}

export function memoryRequest(plan: MemoryPlan, storedBytesPerWeight: number, vocabSize: number): MemoryRequest {
  return {
    task: plan.task,
    batchSize: plan.batchSize,
    maxLength: plan.maxLength,
    loraR: plan.loraR ?? 8,
    loraTargets: plan.loraTargets ?? ['q_proj', 'v_proj'],
    storedBytesPerWeight,
    nativeWeights: nativeWeightsAvailable(),
    logitChunkFloats: logitChunkRows(vocabSize) * vocabSize,
    gradientCheckpointing: plan.gradientCheckpointing === true,
  };
}

/** Again for a loaded model, once the length of what it will run is known (score, generate, eval). */
export function checkLoaded(m: LoadedModel, plan: MemoryPlan): MemoryEstimate {
  return checkMemory(m.dir, m.config, plan, m.memoryEstimate?.request.storedBytesPerWeight ?? 4);
}

/** The estimate; throws MemoryRefusal (naming the model folder) when the plan cannot fit here. */
export function checkMemory(dir: string, config: ModelConfig, plan: MemoryPlan, storedBytesPerWeight: number): MemoryEstimate {
  const shape = modelShape(config);
  const limits = memoryLimits();
  const req = memoryRequest(plan, storedBytesPerWeight, config.vocabSize);
  // Automatic checkpointing (plan.gradientCheckpointing undefined): recompute only as many layers as it takes to fit.
  const fitted = fitCheckpointing(shape, req, limits, plan.gradientCheckpointing);
  if (fitted) return fitted;
  const estimate = estimateMemory(shape, req);
  throw new MemoryRefusal(`${dir}: ${memoryRefusal(shape, req, estimate, limits) ?? describeEstimate(estimate)}`);
}
