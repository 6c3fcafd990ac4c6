// What the defaults and the review's pre-flight are computed from (src/core/runs/fittedDefaults.ts,
// src/core/runs/preflight.ts): measured here with the trainer's own reader and renderer, so the token counts are
// the ones training will see — chat template, BOS/EOS and the answer boundary included.
import type { Backend } from '../../core/runConfig';
import { parameterCount } from '../../core/memory/memoryEstimate';
import type { PreflightFacts } from '../../core/protocol/preflightFacts';
import { loadTextSide } from '../engine/textSide';
import { WeightSource } from '../engine/weightSource';
import { memoryLimits, memoryRequest, modelShape } from '../engine/memoryPreflight';
import { initBackend } from '../backend';
import { loadRecords } from '../train/dataLoader';
import { dataKindOf, memoryTaskOf, type Method } from '../../core/preferences/methods';
import { tokenizeDpo, tokenizeSft } from '../prompt/renderRecord';

/** Longer than any context: nothing is cut, so lengths are the untruncated ones. */
const UNCUT = Number.MAX_SAFE_INTEGER;

/** Lengths only (no backend, no weights): what `clinical-ft train` needs to fit its defaults. */
export async function exampleLengths(model: string, data: string, method: Method): Promise<{ text: ReturnType<typeof loadTextSide>; examples: [number, number, number][] }> {
  const text = loadTextSide(model);
  const loaded = await loadRecords(data, dataKindOf(method));
  const tok = text.tokenizer;
  const examples: [number, number, number][] =
    loaded.kind !== 'dpo'
      ? loaded.records.map((r) => {
          const e = tokenizeSft(r.record, tok, text.chatTemplate, UNCUT);
          return [r.line, e.ids.length, promptLength(e.lossMask)];
        })
      : loaded.records.map((r) => {
          const p = tokenizeDpo(r.record, tok, text.chatTemplate, UNCUT);
          const prompt = Math.min(promptLength(p.chosen.lossMask), promptLength(p.rejected.lossMask));
          return [r.line, Math.max(p.chosen.ids.length, p.rejected.ids.length), prompt];
        });
  return { text, examples };
}

function promptLength(lossMask: number[]): number {
  const i = lossMask.indexOf(1);
  return i < 0 ? lossMask.length : i;
}

export async function preflightFacts(model: string, data: string, method: Method, backend: Backend): Promise<PreflightFacts> {
  const { text, examples } = await exampleLengths(model, data, method);
  const resolved = await initBackend(backend);
  const source = new WeightSource(model);
  let stored: number;
  try {
    stored = source.storedBytesPerElement();
  } finally {
    source.close();
  }
  const req = memoryRequest({ task: memoryTaskOf(method), batchSize: 1, maxLength: 8 }, stored, text.config.vocabSize);
  const limits = memoryLimits();
  const shape = modelShape(text.config);
  return {
    model: { parameters: parameterCount(shape), maxPositions: text.config.maxPositionEmbeddings, shape },
    backend: resolved,
    memory: {
      storedBytesPerWeight: stored,
      nativeWeights: req.nativeWeights,
      logitChunkFloats: req.logitChunkFloats,
      ...(limits.heapBytes !== undefined ? { heapBytes: limits.heapBytes } : {}),
      availableBytes: limits.availableBytes,
    },
    data: { method, examples },
  };
}
