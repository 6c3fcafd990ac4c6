import { loadModel, type MemoryPlan } from '../engine';
import type { LoadedForTraining } from './runTraining';

/** Loads a Hugging Face model folder with the real engine, in the shape the training loop needs. */
export async function loadEngineModel(dir: string, memory?: MemoryPlan): Promise<LoadedForTraining> {
  const m = await loadModel(dir, memory ? { memory } : undefined);
  return {
    model: m.model,
    tokenizer: m.tokenizer,
    ...(m.chatTemplate ? { chatTemplate: m.chatTemplate } : {}),
    ...(m.memoryEstimate ? { memoryEstimate: m.memoryEstimate } : {}),
    dispose: () => m.model.dispose(),
  };
}
