// The engine's public API: others code against exactly these exports (see engine-api.md); add, never change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedModel } from './types';
import { loadTextSide } from './textSide';
import { readJsonObject } from './jsonFile';
import { LlamaModel, expectedTensors } from './model';
import { WeightSource } from './weightSource';

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

/** Loads a Hugging Face model folder (the backend must be initialised first: src/trainer/backend.ts initBackend). */
export async function loadModel(dir: string, opts?: { trainableBase?: boolean }): Promise<LoadedModel> {
  const { config, tokenizer, chatTemplate } = loadTextSide(dir);
  const genFile = path.join(dir, 'generation_config.json');
  const generationConfig = fs.existsSync(genFile) ? readJsonObject(genFile) : undefined;
  const source = new WeightSource(dir);
  let model: LlamaModel;
  try {
    // Every size config.json implies is confirmed by the safetensors headers before anything is allocated.
    for (const [key, shape] of expectedTensors(config)) source.check(key, shape);
    model = new LlamaModel(config, opts?.trainableBase ?? false);
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
  };
}
