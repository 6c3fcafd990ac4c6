// The pure memory estimate (src/core/memory): parameter counts of real models, where the weights are counted,
// and when a request is refused and what it advises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointedLayerCount, estimateMemory, fitCheckpointing, memoryRefusal, parameterCount, type MemoryRequest, type ModelShape } from '../../../src/core/memory/memoryEstimate';
import { SCALE_SHAPES, parameterCount as writtenParameters } from '../../fixtures/scaleModels';
import { parseHfConfig } from '../../../src/trainer/engine';
import { modelShape } from '../../../src/trainer/engine/memoryPreflight';

function shape(name: string): ModelShape {
  const s = SCALE_SHAPES[name];
  return { vocabSize: s.vocab, hiddenSize: s.hidden, numLayers: s.layers, numHeads: s.heads, numKvHeads: s.kvHeads, headDim: s.hidden / s.heads, intermediateSize: s.intermediate, tieWordEmbeddings: s.tie, attentionBias: s.architecture === 'Qwen2ForCausalLM' };
}

const SFT: MemoryRequest = { task: 'sft', batchSize: 4, maxLength: 512, loraR: 8, loraTargets: ['q_proj', 'v_proj'], storedBytesPerWeight: 2, nativeWeights: true, logitChunkFloats: 1 << 23 };
const GiB = 1024 ** 3;

test('parameter counts equal the published models (and the folders the benchmark writes)', () => {
  const published: Record<string, number> = { 'SmolLM2-135M': 134_515_008, 'Qwen2.5-0.5B': 494_032_768, 'Llama-3.2-1B': 1_235_814_400, 'Llama-3.2-3B': 3_212_749_824 };
  for (const [name, n] of Object.entries(published)) {
    assert.equal(parameterCount(shape(name)), n, name);
    assert.equal(writtenParameters(SCALE_SHAPES[name]), n, `${name} folder`);
  }
});

test('native weights count at their stored precision outside the heap; heap weights as float32 inside it', () => {
  const s = shape('Llama-3.2-1B');
  const native = estimateMemory(s, SFT);
  const heap = estimateMemory(s, { ...SFT, nativeWeights: false });
  assert.equal(native.weightBytes, 1_235_814_400 * 2);
  assert.equal(heap.weightBytes, 1_235_814_400 * 4);
  assert.ok(heap.heapBytes - native.heapBytes > 4.5 * GiB);
  assert.ok(native.processBytes > native.heapBytes + native.weightBytes);
});

test('the logits are counted by the chunk, activations by batch × length, attention probabilities by length²', () => {
  const s = shape('Qwen2.5-0.5B');
  const a = estimateMemory(s, SFT);
  const bigChunk = estimateMemory(s, { ...SFT, logitChunkFloats: 2048 * s.vocabSize });
  assert.equal(a.parts.logits, 2 * 4 * Math.floor((1 << 23) / s.vocabSize) * s.vocabSize);
  assert.ok(bigChunk.parts.logits > 10 * a.parts.logits);
  assert.ok(Math.abs(estimateMemory(s, { ...SFT, batchSize: 8 }).parts.activations / a.parts.activations - 2) < 1e-9);
  assert.ok(estimateMemory(s, { ...SFT, maxLength: 1024 }).parts.activations > 2 * a.parts.activations);
  assert.equal(estimateMemory(s, { ...SFT, task: 'score' }).parts.lora, 0);
});

test('a request that fits is not refused; one that does not names the limit and what to change', () => {
  const s = shape('Llama-3.2-1B');
  const fits = estimateMemory(s, { ...SFT, batchSize: 1, maxLength: 256 });
  assert.equal(memoryRefusal(s, fits.request, fits, { heapBytes: 4 * GiB, availableBytes: 20 * GiB }), undefined);
  const heapOnly = { ...SFT, nativeWeights: false };
  const e = estimateMemory(s, heapOnly);
  const msg = memoryRefusal(s, heapOnly, e, { heapBytes: 4 * GiB, availableBytes: 20 * GiB });
  assert.match(msg ?? '', /tensor heap needs \d+\.\d\d GB but the backend holds 3\.00 GB/);
  assert.match(msg ?? '', /--batch-size 2/);
  assert.match(msg ?? '', /--max-length 256/);
  assert.match(msg ?? '', /native kernels/);
  assert.match(msg ?? '', /1\.24 B parameters/);
  const ram = memoryRefusal(s, fits.request, fits, { availableBytes: 1 * GiB });
  assert.match(ram ?? '', /machine has 1\.00 GB available/);
});

// Qwen3-0.6B and Gemma 3 1B (config.json on the HF hub): explicit head_dim, q/k norms, Gemma's four norms per layer.
const QWEN3_06B: ModelShape = { vocabSize: 151936, hiddenSize: 1024, numLayers: 28, numHeads: 16, numKvHeads: 8, headDim: 128, intermediateSize: 3072, tieWordEmbeddings: true, attentionBias: false, traits: { qkNorm: true, sandwichNorms: false, activation: 'silu' } };
const GEMMA3_CONFIG = {
  architectures: ['Gemma3ForCausalLM'], head_dim: 256, hidden_activation: 'gelu_pytorch_tanh', hidden_size: 1152, intermediate_size: 6912, num_attention_heads: 4,
  num_hidden_layers: 26, num_key_value_heads: 1, query_pre_attn_scalar: 256, rms_norm_eps: 1e-6, rope_local_base_freq: 10000, rope_theta: 1000000,
  sliding_window: 512, sliding_window_pattern: 6, vocab_size: 262144, bos_token_id: 2, eos_token_id: [1, 106],
};
const GEMMA3_1B: ModelShape = { vocabSize: 262144, hiddenSize: 1152, numLayers: 26, numHeads: 4, numKvHeads: 1, headDim: 256, intermediateSize: 6912, tieWordEmbeddings: true, attentionBias: false, traits: { qkNorm: true, sandwichNorms: true, activation: 'gelu_tanh' } };

test('Qwen3 and Gemma 3: head_dim ≠ hidden/heads, q/k norms and sandwich norms are counted (Gemma 3 1B: 999,885,952 parameters)', () => {
  assert.equal(parameterCount(GEMMA3_1B), 999_885_952);
  assert.equal(parameterCount(QWEN3_06B) - parameterCount({ ...QWEN3_06B, traits: undefined }), 28 * 2 * 128);
  assert.equal(parameterCount(QWEN3_06B), 596_049_920);
  // head_dim 128 with 16 heads is a 2048-wide q projection on a 1024-wide model.
  assert.ok(parameterCount(QWEN3_06B) > parameterCount({ ...QWEN3_06B, headDim: 1024 / 16 }) + 28 * 3e6);
});

test("Gemma 3's GeGLU keeps its composite's intermediates on the tape; its norms live on the heap", () => {
  const geglu = estimateMemory(GEMMA3_1B, SFT);
  const swiglu = estimateMemory({ ...GEMMA3_1B, traits: { ...GEMMA3_1B.traits!, activation: 'silu' } }, SFT);
  const tokens = SFT.batchSize * SFT.maxLength;
  // 1.5 (allocation overhead) × 4 bytes × tokens × 8 intermediates × 6912, for each of 26 layers and the backward transient.
  assert.equal(geglu.parts.activations - swiglu.parts.activations, 1.5 * 4 * tokens * 8 * 6912 * 26);
  const heapWeights = (e: ReturnType<typeof estimateMemory>) => e.heapBytes - Object.entries(e.parts).reduce((n, [k, v]) => (k === 'weights' || k === 'keptLogits' ? n : n + v), 0);
  // The pre-flight hands the engine's config over with its traits.
  const parsed = modelShape(parseHfConfig(GEMMA3_CONFIG, 'config.json'));
  assert.deepEqual(parsed.traits, GEMMA3_1B.traits);
  assert.equal(estimateMemory(parsed, SFT).processBytes, geglu.processBytes);
  assert.equal(heapWeights(geglu), 4 * (26 * (4 * 1152 + 2 * 256) + 1152), 'four norms and the q/k norms per layer, and the final norm, as float32 on the heap');
});

test("the native head's training pass keeps its logits in native memory, by blocks of at most 1 GiB, outside the heap", () => {
  const qwen = shape('Qwen2.5-0.5B');
  const sft = estimateMemory(qwen, { ...SFT, batchSize: 4, maxLength: 256 });
  // 1024 × 151936 floats (620 MB) fit one block.
  assert.equal(sft.parts.keptLogits, 4 * 1024 * 151936);
  const without = estimateMemory(qwen, { ...SFT, batchSize: 4, maxLength: 256, nativeWeights: false });
  assert.equal(without.parts.keptLogits, undefined);
  // Beyond 2^28 floats the rows split into equal blocks: 4096 rows → 3 blocks of 1366.
  assert.equal(estimateMemory(qwen, { ...SFT, batchSize: 8, maxLength: 512 }).parts.keptLogits, 4 * 1366 * 151936);
  const heapParts = Object.entries(sft.parts).reduce((n, [k, v]) => (k === 'weights' || k === 'keptLogits' ? n : n + v), 0);
  assert.ok(sft.heapBytes < heapParts + 1e6, 'not on the heap');
  assert.ok(sft.processBytes > sft.heapBytes + sft.weightBytes + sft.parts.keptLogits);
  // Scoring keeps none; neither does a vocabulary small enough for the one-chunk heap path.
  assert.equal(estimateMemory(qwen, { ...SFT, task: 'score' }).parts.keptLogits, undefined);
  assert.equal(estimateMemory({ ...qwen, vocabSize: 4096 }, SFT).parts.keptLogits, undefined);
});

test('automatic checkpointing recomputes the fewest layers that fit: none when all fit, all when asked, undefined when nothing fits', () => {
  const s = shape('Qwen2.5-0.5B');
  const req: MemoryRequest = { ...SFT, batchSize: 4, maxLength: 256 };
  const roomy = { availableBytes: 64 * GiB };
  assert.equal(checkpointedLayerCount(s, fitCheckpointing(s, req, roomy, undefined)!.request), 0);
  // Each checkpointed layer frees memory (the last one excepted: its activations go first in the backward pass).
  const byCount = Array.from({ length: s.numLayers }, (_, i) => estimateMemory(s, { ...req, gradientCheckpointing: true, checkpointedLayers: i + 1 }).processBytes);
  byCount.slice(1, -1).forEach((b, i) => assert.ok(b < byCount[i], `${i + 2} layers: ${b} ≥ ${byCount[i]}`));
  assert.ok(byCount[s.numLayers - 1] >= byCount[s.numLayers - 2]);
  assert.equal(estimateMemory(s, { ...req, gradientCheckpointing: true }).processBytes, byCount[s.numLayers - 1]);
  assert.ok(estimateMemory(s, { ...req, gradientCheckpointing: false }).processBytes > byCount[0]);
  // A limit between 9 and 10 checkpointed layers' needs: 10 it is.
  const limit = { availableBytes: (byCount[8] + byCount[9]) / 2 };
  const tight = fitCheckpointing(s, req, limit, undefined)!;
  assert.equal(tight.request.gradientCheckpointing, true);
  assert.equal(checkpointedLayerCount(s, tight.request), 10);
  assert.equal(tight.processBytes, byCount[9]);
  // Asked for: every layer, whatever the memory; asked off: as asked, refused when it cannot fit.
  assert.equal(checkpointedLayerCount(s, fitCheckpointing(s, req, roomy, true)!.request), s.numLayers);
  assert.equal(fitCheckpointing(s, req, limit, false), undefined);
  assert.equal(fitCheckpointing(s, req, { availableBytes: byCount[s.numLayers - 2] - 1 }, undefined), undefined);
  // Scoring never checkpoints.
  assert.equal(checkpointedLayerCount(s, fitCheckpointing(s, { ...req, task: 'score' }, roomy, undefined)!.request), 0);
});
