import { memoryTaskOf } from '../../core/preferences/methods';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../core/runConfig';
import { RUN_FILES, type RunRecord } from '../../core/runFolder';
import { engineRefusals, formatRefusals } from '../../core/engineSupport';
import { METRIC, type MetricsRecord } from '../../core/metrics';
import { readRunRecord } from '../../core/node/runFolderReader';
import type { TokenizerLike, TrainableLM } from './lm';
import type { ChatTemplateLike } from '../../core/prompt/recordSegments';
import { formatPreferenceSummary, formatUnpairedSummary, loadRecords } from './dataLoader';
import { tokenizeDpo, tokenizeKto, tokenizeSft, type DpoExample, type KtoExample, type TokenizedExample } from '../prompt/renderRecord';
import { dataKindOf, needsReference } from '../../core/preferences/methods';
import { RunWriter } from './runWriter';
import { trainsNothing } from './trainedTokens';
import { listCheckpoints, loadCheckpoint, removeStaleCheckpointTemps, saveCheckpoint } from './checkpoint';
import { computeReferenceLogps, lookupReferenceCache, referenceCacheKey, storeReferenceCache } from './referenceLogps';
import { totalStepsFor, trainLoop, type ReferenceLogps, type TrainData } from './trainLoop';
import type { MemoryPlan } from '../engine/memoryPreflight';
import { describeEstimate, type MemoryEstimate } from '../../core/memory/memoryEstimate';
import { kernelReport } from '../kernels';

export interface LoadedForTraining {
  model: TrainableLM;
  tokenizer: TokenizerLike;
  chatTemplate?: ChatTemplateLike;
  /** The memory pre-flight's estimate for this run (engine loader). */
  memoryEstimate?: MemoryEstimate;
  dispose(): void;
}

/** Events a run reports while it works (the child forwards them over IPC, the CLI prints them). */
export type RunEvent =
  | { type: 'started'; runDir: string; totalSteps: number }
  | { type: 'metrics'; record: MetricsRecord }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'checkpoint'; step: number; path: string };

export interface RunOptions {
  config: RunConfig;
  outDir: string;
  resume: boolean;
  /** The backend initialised for this process, recorded in run.json. */
  backend: RunRecord['backend'];
  /** The memory plan lets the loader refuse before reading weights that could not train here. */
  loadModel(dir: string, memory?: MemoryPlan): Promise<LoadedForTraining>;
  onEvent?(event: RunEvent): void;
  shouldStop(): boolean;
}

export interface RunResult {
  status: 'completed' | 'cancelled' | 'failed';
  runDir: string;
  step: number;
  error?: string;
  finalLoss?: number;
}

/** A problem found before training starts (config, data, folder): nothing was written. */
export class RefusedError extends Error {}

interface TokenizedSet {
  sft?: TokenizedExample[];
  dpo?: DpoExample[];
  kto?: KtoExample[];
  truncated: number;
  /** file:line of each example that trains nothing after truncation. */
  untrained: string[];
  /** file:line of every example, in order. */
  sources: string[];
  formats: string[];
}

async function tokenize(file: string, kind: 'sft' | 'dpo' | 'kto', tok: TokenizerLike, template: ChatTemplateLike | undefined, maxLength: number, batchSize: number): Promise<TokenizedSet> {
  const loaded = await loadRecords(file, kind);
  const sources = loaded.records.map((r) => `${file}:${r.line}`);
  const sft = loaded.kind === 'sft' ? loaded.records.map((r) => tokenizeSft(r.record, tok, template, maxLength)) : undefined;
  const dpo = loaded.kind === 'dpo' ? loaded.records.map((r) => tokenizeDpo(r.record, tok, template, maxLength)) : undefined;
  const kto = loaded.kind === 'kto' ? tokenizeKto(loaded.records.map((r) => r.record), tok, template, maxLength, batchSize) : undefined;
  const examples: (TokenizedExample | DpoExample | KtoExample)[] = sft ?? dpo ?? kto ?? [];
  return {
    ...(sft ? { sft } : dpo ? { dpo } : { kto }),
    truncated: examples.filter((e) => e.truncated).length,
    untrained: sources.filter((_, i) => trainsNothing(examples[i])),
    sources,
    formats: [...loaded.formats],
  };
}

/** Each example is named in trainer.log up to this many; run.json counts them all. */
const MAX_NAMED_UNTRAINED = 100;

function refuseIfOccupied(outDir: string, resume: boolean): void {
  const hasRun = fs.existsSync(path.join(outDir, RUN_FILES.runJson));
  if (!resume && hasRun) throw new RefusedError(`${outDir} already holds a run; pass --resume to continue it or choose another --out`);
  if (resume && hasRun) {
    const existing = readRunRecord(outDir);
    if (existing.ok && existing.record.status === 'running') throw new RefusedError(`${outDir}: its trainer (pid ${existing.record.pid ?? '?'}) is still running`);
  }
}

/** Opens the folder for writing; a link inside it or another live trainer refuses the run, writing nothing. */
function openWriter(outDir: string, record: RunRecord): RunWriter {
  try {
    return RunWriter.open(outDir, record);
  } catch (e) {
    throw new RefusedError(e instanceof Error ? e.message : String(e));
  }
}

/**
 * One training run end to end: validate data, load the model (folding a starting DPO adapter),
 * tokenise, compute or reuse reference log-probs, train with checkpoints, and leave the run folder
 * with a final status — whatever happens after the folder exists is recorded in it.
 */
export async function runTraining(opts: RunOptions): Promise<RunResult> {
  const { config, outDir } = opts;
  const emit = (e: RunEvent) => opts.onEvent?.(e);
  if (config.engine === 'trl') throw new RefusedError('engine: "trl" runs as a TRL + PEFT + Accelerate job, not in the built-in engine: write its job folder with clinical-ft handoff --config RUN.json --out DIR');
  const refusals = engineRefusals(config);
  if (refusals.length > 0) throw new RefusedError(formatRefusals(refusals, config.engine));
  refuseIfOccupied(outDir, opts.resume);
  // Data problems refuse the run before anything is written or loaded.
  // The PHI gate the run asks for covers the eval data and every resume too (run.json keeps phiAsErrors).
  const gate = { phiAsErrors: config.phiAsErrors === true };
  const kind = dataKindOf(config.method);
  const checked = await loadRecords(config.data, kind, gate);
  const totalSteps = totalStepsFor(config, checked.records.length);
  if (config.evalData) await loadRecords(config.evalData, kind, gate);

  const previous = opts.resume ? readRunRecord(outDir) : undefined;
  const writer = openWriter(outDir, {
    id: path.basename(path.resolve(outDir)),
    config,
    status: 'running',
    totalSteps,
    backend: opts.backend,
    versions: { tfjs: tf.version.tfjs, node: process.version },
    threads: kernelReport()?.blasThreads ?? 1,
    startedAt: previous?.ok && previous.record.startedAt ? previous.record.startedAt : new Date().toISOString(),
    ...(previous?.ok && previous.record.lastCheckpoint !== undefined ? { lastCheckpoint: previous.record.lastCheckpoint } : {}),
  });
  const log = (level: 'info' | 'warn' | 'error', message: string) => {
    writer.log(level, message);
    emit({ type: 'log', level, message });
  };
  if (checked.kind === 'dpo' && checked.preferences) log('info', formatPreferenceSummary(config.data, checked.preferences));
  if (checked.kind === 'kto' && checked.unpaired) log('info', formatUnpairedSummary(config.data, checked.unpaired));
  let loaded: LoadedForTraining | undefined;
  let lastLoss: number | undefined;
  // Reported before the model loads and the DPO reference pass runs, so the UI can follow along.
  emit({ type: 'started', runDir: outDir, totalSteps });
  try {
    // Only now that this process owns the folder: no other trainer can be writing one of them.
    removeStaleCheckpointTemps(outDir);
    log('info', `${opts.resume ? 'Resuming' : 'Starting'} ${config.method.toUpperCase()} on ${config.data} with ${config.model} (backend ${opts.backend ?? 'unknown'})`);
    loaded = await opts.loadModel(config.model, { task: memoryTaskOf(config.method), batchSize: config.batchSize, maxLength: config.maxLength, loraR: config.lora.r, loraTargets: config.lora.targets, ...(config.gradientCheckpointing !== undefined ? { gradientCheckpointing: config.gradientCheckpointing } : {}) });
    if (loaded.memoryEstimate) {
      const e = loaded.memoryEstimate;
      log('info', `Memory: ${describeEstimate(e)}`);
      const ckpt = e.request.gradientCheckpointing === true;
      loaded.model.setGradientCheckpointing?.(ckpt, e.request.checkpointedLayers);
      if (ckpt && config.gradientCheckpointing === undefined) {
        const n = e.request.checkpointedLayers;
        log('info', `Gradient checkpointing switched on${n !== undefined ? ` for ${n} layer${n === 1 ? '' : 's'}` : ''}: the run does not fit in memory without it`);
      }
      writer.update({ config: { ...config, gradientCheckpointing: ckpt }, memoryEstimate: { processBytes: e.processBytes, heapBytes: e.heapBytes, weightBytes: e.weightBytes, ...(ckpt && e.request.checkpointedLayers !== undefined ? { checkpointedLayers: e.request.checkpointedLayers } : {}) } });
    }
    const { model, tokenizer } = loaded;
    const lora = { r: config.lora.r, alpha: config.lora.alpha, dropout: config.lora.dropout, targets: config.lora.targets, useRslora: config.lora.useRslora };
    if (config.adapter && config.method !== 'sft') {
      // The SFT adapter becomes part of the policy (and of the reference, for DPO and KTO); a fresh adapter trains on top.
      await model.lora.fold(config.adapter);
      model.lora.attach(lora, config.seed);
      writer.update({ adapterStackedOn: config.adapter });
      log('info', `Folded starting adapter ${config.adapter} into the base; a new adapter trains on top of it, and adapter/ will hold both stacked (rank ${lora.r} + the starting rank) so it applies to the base model alone`);
    } else if (config.adapter) {
      await model.lora.loadTrainable(config.adapter);
      log('info', `Continuing training of adapter ${config.adapter}`);
    } else {
      model.lora.attach(lora, config.seed);
    }

    const train = await tokenize(config.data, kind, tokenizer, loaded.chatTemplate, config.maxLength, config.batchSize);
    const evalSet = config.evalData ? await tokenize(config.evalData, kind, tokenizer, loaded.chatTemplate, config.maxLength, config.batchSize) : undefined;
    const countOf = (t: TokenizedSet) => (t.sft ?? t.dpo ?? t.kto ?? []).length;
    log('info', `${countOf(train)} training examples (${train.formats.join(', ')})${evalSet ? `, ${countOf(evalSet)} eval examples` : ''}`);
    for (const [name, set] of [['training', train], ['eval', evalSet]] as const) {
      if (set && set.truncated > 0) log('warn', `${set.truncated} ${name} example(s) longer than --max-length ${config.maxLength} were truncated (kept, not dropped)`);
      for (const at of set?.untrained.slice(0, MAX_NAMED_UNTRAINED) ?? []) log('warn', `${at}: --max-length ${config.maxLength} cut off every answer token; this ${name} example trains nothing`);
      if (set && set.untrained.length > MAX_NAMED_UNTRAINED) log('warn', `… and ${set.untrained.length - MAX_NAMED_UNTRAINED} more ${name} examples with no answer token left (run.json untrainedExamples)`);
    }
    if (train.untrained.length > 0 || (evalSet?.untrained.length ?? 0) > 0) writer.update({ untrainedExamples: { train: train.untrained.length, eval: evalSet?.untrained.length ?? 0 } });

    let data: TrainData;
    if (train.sft) {
      data = { method: 'sft', train: train.sft, sources: train.sources, ...(evalSet?.sft ? { eval: evalSet.sft } : {}) };
    } else {
      const reference = async (pairs: DpoExample[], what: string): Promise<ReferenceLogps | undefined> => {
        const key = referenceCacheKey(pairs, config.model, config.adapter);
        const hit = lookupReferenceCache(outDir, key, pairs.length);
        if (hit) {
          log('info', `Reference log-probs for the ${what} set reused from ${hit.from}`);
          return hit.ref;
        }
        const t0 = Date.now();
        const ref = await computeReferenceLogps(model, pairs, config.batchSize, tokenizer.padId, opts.shouldStop);
        if (!ref) return undefined;
        storeReferenceCache(outDir, key, ref);
        log('info', `Reference log-probs for ${pairs.length} ${what} pairs computed in ${((Date.now() - t0) / 1000).toFixed(1)} s and cached`);
        return ref;
      };
      // KTO's reference pass reads each example's completion as `chosen` and its KL row as `rejected`.
      const asPairs = (set: TokenizedSet | undefined): DpoExample[] | undefined =>
        set?.dpo ?? set?.kto?.map((e) => ({ chosen: e.completion, rejected: e.kl, truncated: e.truncated }));
      const pairs = asPairs(train) ?? [];
      const evalPairs = asPairs(evalSet);
      const wantsRef = needsReference(config.method);
      const ref = wantsRef ? await reference(pairs, 'training') : undefined;
      const evalRef = ref && evalPairs ? await reference(evalPairs, 'eval') : undefined;
      if (wantsRef && (!ref || (evalPairs && !evalRef))) {
        // Cancelled before the first step: nothing to checkpoint; the run starts over with --resume.
        log('info', 'Cancelled while computing reference log-probs (before step 1); resume with --resume');
        writer.update({ status: 'cancelled', endedAt: new Date().toISOString() });
        return { status: 'cancelled', runDir: outDir, step: 0 };
      }
      if (train.kto) {
        data = { method: 'kto', train: train.kto, ref: ref!, sources: train.sources, ...(evalSet?.kto && evalRef ? { eval: evalSet.kto, evalRef } : {}) };
      } else {
        data = { method: 'dpo', train: pairs, sources: train.sources, ...(ref ? { ref } : {}), ...(evalSet?.dpo ? { eval: evalSet.dpo, ...(evalRef ? { evalRef } : {}) } : {}) };
      }
    }

    let resumeState;
    if (opts.resume) {
      const steps = listCheckpoints(outDir);
      if (steps.length > 0) {
        resumeState = loadCheckpoint(outDir, steps[steps.length - 1]);
        writer.truncateMetricsAfter(resumeState.step);
        log('info', `Resuming from checkpoint step ${resumeState.step}`);
      } else {
        writer.truncateMetricsAfter(0);
        log('warn', 'No checkpoint to resume from: starting from step 0');
      }
    }

    const outcome = await trainLoop(model, data, config, tokenizer.padId, {
      metrics: (record) => {
        writer.appendMetrics(record);
        const loss = record[METRIC.loss];
        if (typeof loss === 'number') lastLoss = loss;
        emit({ type: 'metrics', record });
      },
      log,
      checkpoint: async (state) => {
        const dir = await saveCheckpoint(outDir, state, (d) => model.lora.save(d, config.model));
        writer.update({ lastCheckpoint: state.step });
        emit({ type: 'checkpoint', step: state.step, path: dir });
      },
      shouldStop: opts.shouldStop,
    }, resumeState);

    if (outcome.status === 'completed') {
      await model.lora.save(path.join(outDir, RUN_FILES.adapter), config.model);
      log('info', `Completed ${outcome.step} steps; adapter saved to ${path.join(outDir, RUN_FILES.adapter)}`);
      writer.update({ status: 'completed', endedAt: new Date().toISOString() });
      return { status: 'completed', runDir: outDir, step: outcome.step, ...(lastLoss !== undefined ? { finalLoss: lastLoss } : {}) };
    }
    if (outcome.status === 'cancelled') {
      log('info', `Cancelled at step ${outcome.step}; checkpoint saved, resume with --resume`);
      writer.update({ status: 'cancelled', endedAt: new Date().toISOString() });
      return { status: 'cancelled', runDir: outDir, step: outcome.step };
    }
    log('error', outcome.error);
    writer.update({ status: 'failed', endedAt: new Date().toISOString(), error: outcome.error });
    return { status: 'failed', runDir: outDir, step: outcome.step, error: outcome.error };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log('error', message);
    writer.update({ status: 'failed', endedAt: new Date().toISOString(), error: message });
    return { status: 'failed', runDir: outDir, step: 0, error: message };
  } finally {
    writer.releaseLock();
    loaded?.dispose();
  }
}
