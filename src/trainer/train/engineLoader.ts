import { loadModel } from '../engine';
import type { LoadedForTraining } from './runTraining';

/** Loads a Hugging Face model folder with the real engine, in the shape the training loop needs. */
export async function loadEngineModel(dir: string): Promise<LoadedForTraining> {
  const m = await loadModel(dir);
  return {
    model: m.model,
    tokenizer: m.tokenizer,
    ...(m.chatTemplate ? { chatTemplate: m.chatTemplate } : {}),
    dispose: () => m.model.dispose(),
  };
}
