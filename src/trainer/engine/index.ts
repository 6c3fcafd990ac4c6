// The engine's public API: others code against exactly these exports (see engine-api.md); add, never change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedModel } from './types';
import { readHfConfig } from './hfConfig';
import { loadTokenizer, readTokenizerConfig } from './tokenizer';
import { loadChatTemplate } from './chatTemplate';
import { readJsonObject } from './jsonFile';
import { LlamaModel } from './model';
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
 * Before any weight is read, the memory pre-flight estimates the peak of `memory` (default: scoring 512 tokens)
 * and throws MemoryRefusal when it cannot fit.
 */
export async function loadModel(dir: string, opts?: { trainableBase?: boolean; memory?: MemoryPlan }): Promise<LoadedModel> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: model folder not found`);
  const config = readHfConfig(dir);
  const tokConfig = readTokenizerConfig(dir);
  const tokenizer = loadTokenizer(dir, config, tokConfig);
  const chatTemplate = loadChatTemplate(tokConfig, path.join(dir, 'tokenizer_config.json'));
  const genFile = path.join(dir, 'generation_config.json');
  const generationConfig = fs.existsSync(genFile) ? readJsonObject(genFile) : undefined;
  const source = new WeightSource(dir);
  let memoryEstimate;
  try {
    memoryEstimate = checkMemory(dir, config, opts?.memory ?? { task: 'score', batchSize: 1, maxLength: Math.min(512, config.maxPositionEmbeddings) }, source.storedBytesPerElement());
  } catch (e) {
    source.close();
    throw e;
  }
  const model = new LlamaModel(config, opts?.trainableBase ?? false);
  // The pre-flight may have found that training fits only with activation recomputation.
  model.setGradientCheckpointing(memoryEstimate.request.gradientCheckpointing === true);
  try {
    model.loadFrom(source);
  } catch (e) {
    model.dispose();
    throw e;
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
