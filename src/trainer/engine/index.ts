// The engine's public API: others code against exactly these exports (see engine-api.md); add, never change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedModel } from './types';
import { loadTextSide } from './textSide';
import { readJsonObject } from './jsonFile';
import { LlamaModel, expectedTensors } from './model';
import { WeightSource } from './weightSource';
import { checkMemory, type MemoryPlan } from './memoryPreflight';

export type {
  ModelConfig,
  TextTokenizer,
  ChatMessage,
  ChatTemplate,
  LoraSpec,
  LoraController,
  CausalLM,
  LoadedModel,
  GenerateOptions,
  GenerateResult,
} from './types';
export { generate, sampleToken, defaultStopIds } from './generate';
export { LlamaModel } from './model';
export { parseHfConfig, readHfConfig } from './hfConfig';
export { SafetensorsFile, SafetensorsError, writeSafetensors, encodeSafetensors } from './safetensors';
export { readPeftAdapter, writePeftAdapter, loraScale, LORA_TARGETS } from './peft';

export { MemoryRefusal, type MemoryPlan } from './memoryPreflight';

/**
 * Loads a Hugging Face model folder (the backend must be initialised first: src/trainer/backend.ts initBackend).
 * Before any weight is read, every size config.json implies is confirmed by the safetensors headers and the memory
 * pre-flight estimates the peak of `memory` (default: scoring 512 tokens), throwing MemoryRefusal when it cannot fit.
 */
export async function loadModel(dir: string, opts?: { trainableBase?: boolean; memory?: MemoryPlan }): Promise<LoadedModel> {
  const { config, tokenizer, chatTemplate } = loadTextSide(dir);
  const genFile = path.join(dir, 'generation_config.json');
  const generationConfig = fs.existsSync(genFile) ? readJsonObject(genFile) : undefined;
  const source = new WeightSource(dir);
  let model: LlamaModel;
  let memoryEstimate;
  try {
    // Every size config.json implies is confirmed by the safetensors headers, then a model that cannot fit is
    // refused; nothing is allocated before both.
    for (const [key, shape] of expectedTensors(config)) source.check(key, shape);
    memoryEstimate = checkMemory(dir, config, opts?.memory ?? { task: 'score', batchSize: 1, maxLength: Math.min(512, config.maxPositionEmbeddings) }, source.storedBytesPerElement());
    model = new LlamaModel(config, opts?.trainableBase ?? false);
    // The pre-flight may have found that training fits only with activation recomputation.
    model.setGradientCheckpointing(memoryEstimate.request.gradientCheckpointing === true, memoryEstimate.request.checkpointedLayers);
    try {
      model.loadFrom(source);
    } catch (e) {
      model.dispose();
      throw e;
    }
  } finally {
    source.close();
  }
  return {
    dir,
    config,
    tokenizer,
    ...(chatTemplate ? { chatTemplate } : {}),
    ...(generationConfig ? { generationConfig } : {}),
    model,
    memoryEstimate,
  };
}
