// The pure memory estimate (src/core/memory): parameter counts of real models, where the weights are counted,
// and when a request is refused and what it advises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMemory, memoryRefusal, parameterCount, type MemoryRequest, type ModelShape } from '../../../src/core/memory/memoryEstimate';
import { SCALE_SHAPES, parameterCount as writtenParameters } from '../../fixtures/scaleModels';

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
  assert.match(msg ?? '', /tensor heap needs \d+\.\d\d GB but the backend holds 3\.40 GB/);
  assert.match(msg ?? '', /--batch-size 2/);
  assert.match(msg ?? '', /--max-length 256/);
  assert.match(msg ?? '', /native kernels/);
  assert.match(msg ?? '', /1\.24 B parameters/);
  const ram = memoryRefusal(s, fits.request, fits, { availableBytes: 1 * GiB });
  assert.match(ram ?? '', /machine has 1\.00 GB available/);
});
