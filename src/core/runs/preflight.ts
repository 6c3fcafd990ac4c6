// The Start run review's pre-flight: what the run will do to the data and the machine, computed from the
// trainer's measurements (PreflightFacts) and the config under review, so every edit in the review re-computes it.
// Pure: the host renders it (src/host/runs/preflightItems.ts).
import { dataKindOf, memoryTaskOf } from '../preferences/methods';
import { checkpointedLayerCount, estimateMemory, fitCheckpointing, memoryRefusal, type MemoryEstimate } from '../memory/memoryEstimate';
import type { PreflightFacts } from '../protocol/preflightFacts';
import type { RunConfig } from '../runConfig';
import { quantile } from './fittedDefaults';

export interface PreflightRow {
  label: string;
  value: string;
  detail?: string;
  level: 'info' | 'warning';
}

export interface Truncation {
  /** Examples longer than maxLength. */
  over: number;
  /** Of those, examples whose answer loses trained tokens. */
  answersCut: number;
  /** Of those, examples that keep no answer token at all (they train nothing). */
  answersLost: number;
  /** Line numbers of the first few examples with a cut answer. */
  lines: number[];
}

export interface PreflightContext {
  runName: string;
  /** The dataset check's possible-PHI findings; undefined when not checked. */
  phi?: { findings: number; asErrors: boolean };
  /** Training speed measured on this machine for this model, and where it was measured. */
  speed?: { tokensPerSecond: number; from: string };
}

export interface Preflight {
  rows: PreflightRow[];
  truncation: Truncation;
  memory: MemoryEstimate;
  /** Set when the run needs the person's explicit go-ahead (answers would be cut). */
  mustAccept?: string;
  seconds?: number;
}

/** How the trainer truncates (src/trainer/prompt/renderRecord.ts): SFT cuts the end; DPO gives way on the prompt first, down to half. */
export function truncation(facts: PreflightFacts, maxLength: number): Truncation {
  const t: Truncation = { over: 0, answersCut: 0, answersLost: 0, lines: [] };
  for (const [line, total, prompt] of facts.data.examples) {
    if (total <= maxLength) continue;
    t.over++;
    const answer = total - prompt;
    const keptPrompt = dataKindOf(facts.data.method) === 'dpo' ? Math.max(1, Math.min(prompt, maxLength - Math.min(answer, Math.floor(maxLength / 2)))) : prompt;
    const room = maxLength - keptPrompt;
    if (answer > room) {
      t.answersCut++;
      if (room <= 0) t.answersLost++;
      if (t.lines.length < 5) t.lines.push(line);
    }
  }
  return t;
}

/** The smallest max length (a multiple of 32) that cuts no answer, within the model's context; undefined if none. */
export function coveringMaxLength(facts: PreflightFacts, current: number): number | undefined {
  const longest = Math.max(0, ...facts.data.examples.map((e) => e[1]));
  const cover = Math.max(current, Math.ceil(longest / 32) * 32);
  const capped = Math.min(cover, facts.model.maxPositions);
  return capped > current && truncation(facts, capped).answersCut === 0 ? capped : undefined;
}

/** Tokens the run feeds in total: each step's examples at their truncated length (DPO: both answers). */
export function runTokens(facts: PreflightFacts, c: RunConfig): number {
  const ex = facts.data.examples;
  if (ex.length === 0) return 0;
  const mean = ex.reduce((a, [, total]) => a + Math.min(total, c.maxLength), 0) / ex.length;
  const perStep = c.batchSize * c.gradAccum * mean * (memoryTaskOf(c.method) === 'dpo' ? 2 : 1);
  const steps = c.steps ?? Math.ceil(((c.epochs ?? 1) * ex.length) / (c.batchSize * c.gradAccum));
  return steps * perStep;
}

const gb = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GB`;

export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function buildPreflight(c: RunConfig, facts: PreflightFacts, ctx: PreflightContext): Preflight {
  const lengths = facts.data.examples.map((e) => e[1]);
  const tr = truncation(facts, c.maxLength);
  const unit = dataKindOf(c.method) === 'dpo' ? 'pairs' : 'examples';
  const rows: PreflightRow[] = [];
  rows.push({ label: 'Run name', value: ctx.runName, level: 'info' });
  rows.push({ label: 'Records', value: `${facts.data.examples.length} ${unit}`, detail: c.data, level: 'info' });
  const pct = `tokens p50 ${quantile(lengths, 0.5)} · p95 ${quantile(lengths, 0.95)} · max ${Math.max(0, ...lengths)} vs max length ${c.maxLength}`;
  if (tr.answersCut > 0) {
    rows.push({
      label: 'Truncation',
      value: `${tr.over} of ${lengths.length} ${unit} longer than ${c.maxLength} tokens; ${tr.answersCut} lose part of the answer${tr.answersLost ? ` (${tr.answersLost} all of it)` : ''}`,
      detail: `${pct}; e.g. line${tr.lines.length > 1 ? 's' : ''} ${tr.lines.join(', ')}. Raise Max length, or shorten those records.`,
      level: 'warning',
    });
  } else {
    rows.push({ label: 'Token lengths', value: tr.over > 0 ? `${tr.over} ${unit} truncated (prompt only, answers intact)` : `nothing truncated`, detail: pct, level: 'info' });
  }
  const req = {
    task: memoryTaskOf(c.method),
    batchSize: c.batchSize,
    maxLength: c.maxLength,
    loraR: c.lora.r,
    loraTargets: c.lora.targets,
    storedBytesPerWeight: facts.memory.storedBytesPerWeight,
    nativeWeights: facts.memory.nativeWeights,
    logitChunkFloats: facts.memory.logitChunkFloats,
    gradientCheckpointing: c.gradientCheckpointing === true,
  } as const;
  const limits = { ...(facts.memory.heapBytes !== undefined ? { heapBytes: facts.memory.heapBytes } : {}), availableBytes: facts.memory.availableBytes };
  // As the trainer will run it: checkpointing as asked, or switched on for as few layers as it takes to fit.
  const fitted = fitCheckpointing(facts.model.shape, { ...req, loraTargets: [...req.loraTargets] }, limits, c.gradientCheckpointing);
  const memory = fitted ?? estimateMemory(facts.model.shape, { ...req, loraTargets: [...req.loraTargets] });
  const refusal = fitted ? undefined : memoryRefusal(facts.model.shape, memory.request, memory, limits);
  const ckpt = checkpointedLayerCount(facts.model.shape, memory.request);
  rows.push({
    label: 'Memory',
    value: `≈ ${gb(memory.processBytes)} peak of ${gb(facts.memory.availableBytes)} available`,
    detail:
      refusal ??
      `weights ${gb(memory.weightBytes)}, activations ${gb(memory.parts.activations ?? 0)}${ckpt > 0 ? ` (gradient checkpointing: ${ckpt} of ${facts.model.shape.numLayers} layers recomputed)` : ''} (${facts.model.parameters.toLocaleString('en-US')} parameters, ${facts.backend} backend)`,
    level: refusal ? 'warning' : 'info',
  });
  const tokens = runTokens(facts, c);
  const seconds = ctx.speed && ctx.speed.tokensPerSecond > 0 ? tokens / ctx.speed.tokensPerSecond : undefined;
  rows.push(
    seconds !== undefined
      ? { label: 'Time', value: `≈ ${duration(seconds)}`, detail: `${Math.round(tokens).toLocaleString('en-US')} tokens at ${Math.round(ctx.speed!.tokensPerSecond)} tokens/s measured ${ctx.speed!.from}`, level: 'info' }
      : { label: 'Time', value: 'not measured yet for this model', detail: `${Math.round(tokens).toLocaleString('en-US')} tokens; the first run measures the speed (tokens/s) and later reviews estimate from it`, level: 'info' },
  );
  rows.push({ label: 'Eval split', value: c.evalData ? baseName(c.evalData) : 'none', detail: c.evalData ?? 'no held-out file found beside the training data (*.eval.*); set Eval data to get eval loss', level: 'info' });
  rows.push({ label: 'Starting adapter', value: c.adapter ? baseName(c.adapter.replace(/[\\/]adapter[\\/]?$/, '')) : 'none (a fresh LoRA adapter)', ...(c.adapter ? { detail: c.adapter } : {}), level: 'info' });
  rows.push(
    !ctx.phi
      ? { label: 'PHI', value: 'not checked', level: 'warning' }
      : ctx.phi.findings > 0
        ? { label: 'PHI', value: `${ctx.phi.findings} possible identifier(s) in the data`, detail: ctx.phi.asErrors ? 'clinicalFt.phiAsErrors is on: the run will refuse this data' : 'see the Problems panel; set clinicalFt.phiAsErrors to refuse such data', level: 'warning' }
        : { label: 'PHI', value: 'no possible identifiers found', detail: ctx.phi.asErrors ? 'clinicalFt.phiAsErrors is on: the run refuses data with PHI' : undefined, level: 'info' },
  );
  const mustAccept =
    tr.answersCut > 0
      ? `${tr.answersCut} of ${lengths.length} training ${unit} would lose part of their answer at max length ${c.maxLength}${tr.answersLost ? ` (${tr.answersLost} keep none of it and train nothing)` : ''}. The model learns cut-off answers from them.`
      : undefined;
  return { rows, truncation: tr, memory, ...(mustAccept ? { mustAccept } : {}), ...(seconds !== undefined ? { seconds } : {}) };
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? p;
}
