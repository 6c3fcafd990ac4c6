// Peak memory of a run, estimated before anything is loaded: from config.json's shape, the method, batch,
// max length and where the frozen weights live. Pure arithmetic (the trainer measures nothing here), shared by
// the trainer's pre-flight refusal, the run review and the benchmark, which prints it beside the measured peak.

/** The parts of a model's config.json the estimate needs. */
export interface ModelShape {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  tieWordEmbeddings: boolean;
  /** q/k/v biases (Qwen2). */
  attentionBias: boolean;
  /** What the family adds to Llama's tensors (the engine's DecoderTraits); absent: Llama's. */
  traits?: ShapeTraits;
}

export interface ShapeTraits {
  /** Per-head RMSNorm of q and k (Qwen3, Gemma 3): [headDim] weights each, and their outputs kept per token. */
  qkNorm: boolean;
  /** Gemma 3's four norms per layer (post-attention, pre- and post-feed-forward) instead of two. */
  sandwichNorms: boolean;
  /** GeGLU (Gemma) is a composite of tfjs ops whose every intermediate the tape keeps; SwiGLU is one fused kernel. */
  activation: 'silu' | 'gelu_tanh';
}

/** [intermediate]-sized tensors GeGLU's composite keeps beyond SwiGLU's one (familyOps.geglu: g³, ·c, +g, ·√(2/π), tanh, +1, ·½g, ·, ·u). */
const GEGLU_EXTRA_INTERMEDIATES = 8;

export type MemoryTask = 'sft' | 'dpo' | 'score' | 'generate' | 'eval';

export interface MemoryRequest {
  task: MemoryTask;
  /** Sequences per forward pass (DPO: pairs; eval of DPO data runs chosen and rejected together). */
  batchSize: number;
  /** Longest sequence in tokens. */
  maxLength: number;
  loraR: number;
  loraTargets: string[];
  /** Bytes per stored base-weight element (bf16/f16 2, f32 4). */
  storedBytesPerWeight: number;
  /** true: frozen weights live in native memory in their stored precision; false: float32 on the backend's heap. */
  nativeWeights: boolean;
  /** Floats of logits the LM head holds at once (the chunk budget). */
  logitChunkFloats: number;
  /** Training keeps only each layer's input and recomputes the layer in the backward pass. */
  gradientCheckpointing?: boolean;
  /** With gradientCheckpointing: how many layers (the first ones) recompute; absent: all of them. */
  checkpointedLayers?: number;
}

export interface MemoryLimits {
  /** Bytes the backend's tensor heap can hold (wasm32: 4 GiB); undefined = bounded by RAM only. */
  heapBytes?: number;
  /** Memory the machine can give this process now (MemAvailable). */
  availableBytes: number;
}

export interface MemoryEstimate {
  /** Base weights (native memory or heap). */
  weightBytes: number;
  /** Tensors on the backend's heap at the peak: weights held there, activations, LoRA + Adam, logits chunks. */
  heapBytes: number;
  /** Whole process: heap + native weights + the runtime itself. */
  processBytes: number;
  parts: Record<string, number>;
  request: MemoryRequest;
}

const MiB = 1024 * 1024;
/** Node + tfjs + wasm module + tokenizer + OpenBLAS buffers: the resident size of a run on a tiny model. */
const RUNTIME_BYTES = 150 * MiB;
/**
 * Live tensor bytes × this = what the heap really reaches: allocator fragmentation (forward intermediates freed
 * between saved ones leave holes the backward pass cannot reuse) and transient gradient copies. Calibrated on
 * the scale bench (SmolLM2-135M b4×256 on wasm + native kernels: 3.5 GB peak RSS against 2.4 GB uncalibrated).
 */
const ALLOCATION_OVERHEAD = 1.5;
/**
 * The share of the heap an estimate may fill. The real heap peak runs above the estimate (allocator slack, growth
 * steps, recomputation transients — more with more layers recomputed): measured on the scale bench with the native
 * kernels, +11% (bench shape, none recomputed), +16% (Qwen2.5-0.5B b4×256, 8 of 24), +22% (Llama-3.2-1B b4×512,
 * 14 of 16), +23% (Llama-3.2-3B b1×512, 16 of 28) — so an estimate at this share leaves up to +33% inside the heap.
 */
export const HEAP_HEADROOM = 0.75;

const MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

function moduleDims(s: ModelShape): Record<(typeof MODULES)[number], [number, number]> {
  const q = s.numHeads * s.headDim;
  const kv = s.numKvHeads * s.headDim;
  return {
    q_proj: [s.hiddenSize, q],
    k_proj: [s.hiddenSize, kv],
    v_proj: [s.hiddenSize, kv],
    o_proj: [q, s.hiddenSize],
    gate_proj: [s.hiddenSize, s.intermediateSize],
    up_proj: [s.hiddenSize, s.intermediateSize],
    down_proj: [s.intermediateSize, s.hiddenSize],
  };
}

export function parameterCount(s: ModelShape): number {
  const dims = moduleDims(s);
  let perLayer = (s.traits?.sandwichNorms ? 4 : 2) * s.hiddenSize + (s.traits?.qkNorm ? 2 * s.headDim : 0);
  for (const m of MODULES) perLayer += dims[m][0] * dims[m][1];
  if (s.attentionBias) perLayer += (s.numHeads + 2 * s.numKvHeads) * s.headDim;
  return s.vocabSize * s.hiddenSize * (s.tieWordEmbeddings ? 1 : 2) + s.numLayers * perLayer + s.hiddenSize;
}

/**
 * Floats kept per token per layer. The gradient tape keeps every forward intermediate until the backward
 * pass reaches it, and a forward-only pass frees nothing before its scope ends either, so both count all of them:
 * norms (+rstd), q/k/v, RoPE'd q/k, attention output and its [heads, T] probabilities, residual sums, gate/up/
 * SwiGLU, and for each LoRA module x·Aᵀ, its ·Bᵀ, the scaled delta and the sum.
 */
function layerFloatsPerToken(s: ModelShape, T: number, loraR: number, targets: string[]): number {
  const q = s.numHeads * s.headDim;
  const kv = s.numKvHeads * s.headDim;
  const dims = moduleDims(s);
  let f = 2 * (s.hiddenSize + 1) + q + 2 * kv + q + kv + q + s.numHeads * T + 2 * s.hiddenSize + 3 * s.intermediateSize + 2 * s.hiddenSize;
  if (s.attentionBias) f += q + 2 * kv;
  if (s.traits?.qkNorm) f += q + kv + s.numHeads + s.numKvHeads;
  if (s.traits?.sandwichNorms) f += 2 * (s.hiddenSize + 1);
  if (s.traits?.activation === 'gelu_tanh') f += GEGLU_EXTRA_INTERMEDIATES * s.intermediateSize;
  for (const t of targets) {
    const d = dims[t as keyof typeof dims];
    if (d) f += loraR + 3 * d[1];
  }
  return f;
}

export function estimateMemory(s: ModelShape, r: MemoryRequest): MemoryEstimate {
  const params = parameterCount(s);
  const weightBytes = params * (r.nativeWeights ? r.storedBytesPerWeight : 4);
  const training = isTraining(r);
  // DPO differentiates chosen and rejected one side at a time, but its evaluation passes run both as one batch
  // of 2B rows (no tape, yet every intermediate lives until the pass ends): that is its peak.
  const rows = r.task === 'generate' ? 1 : r.batchSize * (r.task === 'dpo' ? 2 : 1);
  const T = r.maxLength;
  const tokens = rows * T;
  const dims = moduleDims(s);
  const loraParams = r.loraTargets.reduce((n, t) => n + (dims[t as keyof typeof dims] ? r.loraR * (dims[t as keyof typeof dims][0] + dims[t as keyof typeof dims][1]) : 0), 0) * s.numLayers;
  const parts: Record<string, number> = {};
  const perLayer = ALLOCATION_OVERHEAD * 4 * tokens * layerFloatsPerToken(s, T, training ? r.loraR : 0, training ? r.loraTargets : []);
  // A checkpointed layer keeps only its input; the others keep all their intermediates. The checkpointed layers are
  // the first ones, so the backward pass has freed every kept layer before it recomputes one of them.
  const ckpt = checkpointedLayerCount(s, r);
  parts.activations = ckpt > 0 ? 4 * tokens * (ckpt + 3) * s.hiddenSize + Math.max(1, s.numLayers - ckpt) * perLayer : s.numLayers * perLayer + 4 * tokens * 3 * s.hiddenSize;
  // Logits of one chunk plus, in the backward pass, its gradient (softmax − onehot).
  const chunkRows = Math.max(1, Math.min(tokens, Math.floor(r.logitChunkFloats / s.vocabSize)));
  parts.logits = 4 * chunkRows * s.vocabSize * (training ? 2 : 1);
  // Backward transients: gradients of one layer's intermediates alive at once, beside the saved ones.
  if (training) parts.backward = perLayer;
  // LoRA weights, gradients and Adam's two moments.
  parts.lora = training ? 4 * loraParams * 4 : 0;
  if (r.task === 'generate') parts.kvCache = 4 * 2 * s.numLayers * s.numKvHeads * s.headDim * T;
  // Norm weights and biases always live on the heap; the rest of the weights only without native memory.
  const normFloats = s.numLayers * ((s.traits?.sandwichNorms ? 4 : 2) * s.hiddenSize + (s.traits?.qkNorm ? 2 * s.headDim : 0)) + s.hiddenSize;
  const heapWeights = r.nativeWeights ? 4 * normFloats : weightBytes;
  const heapBytes = heapWeights + Object.values(parts).reduce((a, b) => a + b, 0);
  parts.weights = weightBytes;
  // The native fused head (chunked case only) keeps a training pass's logits in native memory while it runs.
  const headTokens = r.batchSize * T;
  if (training && r.nativeWeights && headTokens > chunkRows) parts.keptLogits = 4 * keptLogitRows(s.vocabSize, headTokens) * s.vocabSize;
  const processBytes = heapBytes + (r.nativeWeights ? weightBytes : 0) + (parts.keptLogits ?? 0) + RUNTIME_BYTES;
  return { weightBytes, heapBytes, processBytes, parts, request: r };
}

/** native/src/frozen_head.c's budget of kept logits per block of rows (1 GiB of float32). */
const KEPT_LOGIT_FLOATS = 2 ** 28;

/** Rows per block of the native head's training forward (as frozen_head.c's head_keep_rows). */
function keptLogitRows(vocabSize: number, rows: number): number {
  const blocks = Math.max(1, Math.ceil((rows * vocabSize) / KEPT_LOGIT_FLOATS));
  return Math.ceil(rows / blocks);
}

/** Training keeps activations for a backward pass (scoring and generation do not). */
function isTraining(r: MemoryRequest): boolean {
  return r.task === 'sft' || r.task === 'dpo';
}

/** Layers that recompute in the backward pass (0 without checkpointing or outside training). */
export function checkpointedLayerCount(s: ModelShape, r: MemoryRequest): number {
  if (!isTraining(r) || !r.gradientCheckpointing) return 0;
  return Math.max(1, Math.min(s.numLayers, r.checkpointedLayers ?? s.numLayers));
}

/**
 * The one owner of the automatic checkpointing choice: without it when the run fits, else recomputing the fewest
 * layers that make it fit (each recomputed layer costs one more forward pass of that layer), else undefined.
 * A request that already says gradientCheckpointing true/false is estimated as asked.
 */
export function fitCheckpointing(s: ModelShape, r: MemoryRequest, limits: MemoryLimits, asked: boolean | undefined): MemoryEstimate | undefined {
  const fits = (req: MemoryRequest): MemoryEstimate | undefined => {
    const e = estimateMemory(s, req);
    return memoryRefusal(s, req, e, limits) ? undefined : e;
  };
  if (asked !== undefined || !isTraining(r)) return fits({ ...r, gradientCheckpointing: asked === true, checkpointedLayers: undefined });
  const plain = fits({ ...r, gradientCheckpointing: false, checkpointedLayers: undefined });
  if (plain) return plain;
  // Memory falls as layers are added up to all but the last (whose activations are freed first in the backward
  // pass, so recomputing it saves nothing): binary search for the fewest.
  let lo = 1;
  let hi = Math.max(1, s.numLayers - 1);
  if (!fits({ ...r, gradientCheckpointing: true, checkpointedLayers: hi })) return undefined;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits({ ...r, gradientCheckpointing: true, checkpointedLayers: mid })) hi = mid;
    else lo = mid + 1;
  }
  return estimateMemory(s, { ...r, gradientCheckpointing: true, checkpointedLayers: hi });
}

function gb(n: number): string {
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function describeEstimate(e: MemoryEstimate): string {
  return `estimated peak ${gb(e.processBytes)} (weights ${gb(e.weightBytes)}, activations ${gb(e.parts.activations ?? 0)}, tensor heap ${gb(e.heapBytes)})`;
}

/** Why the request cannot run within the limits, with what to change — or undefined when it fits. */
export function memoryRefusal(s: ModelShape, r: MemoryRequest, e: MemoryEstimate, limits: MemoryLimits): string | undefined {
  const problems: string[] = [];
  if (limits.heapBytes !== undefined && e.heapBytes > limits.heapBytes * HEAP_HEADROOM) {
    problems.push(`the tensor heap needs ${gb(e.heapBytes)} but the backend holds ${gb(limits.heapBytes * HEAP_HEADROOM)} (${gb(limits.heapBytes)} less the margin its estimates need)`);
  }
  if (e.processBytes > limits.availableBytes) problems.push(`the process needs ${gb(e.processBytes)} but the machine has ${gb(limits.availableBytes)} available`);
  if (problems.length === 0) return undefined;
  const advice: string[] = [];
  if (r.task !== 'generate' && r.batchSize > 1) advice.push(`a smaller batch (--batch-size ${Math.max(1, Math.floor(r.batchSize / 2))})`);
  if (r.maxLength > 128) advice.push(`a shorter length (--max-length ${Math.max(64, Math.floor(r.maxLength / 2))})`);
  if (isTraining(r) && !r.gradientCheckpointing) advice.push('--gradient-checkpointing');
  if (!r.nativeWeights && limits.heapBytes !== undefined) advice.push('the native kernels (npm run build:native), which keep the weights in their stored precision outside the heap');
  const n = parameterCount(s);
  advice.push(`a smaller model (this one has ${n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : `${(n / 1e6).toFixed(1)} M`} parameters)`);
  return `not enough memory for ${r.task} at batch ${r.batchSize} × ${r.maxLength} tokens: ${problems.join('; ')}. ${describeEstimate(e)}. Try ${advice.join(', or ')}.`;
}
