import type { RunConfig } from './runConfig';

export type Engine = RunConfig['engine'];

/** A run-config field the chosen engine cannot honour: named, never silently dropped. */
export interface EngineRefusal {
  field: string;
  message: string;
}

/**
 * The one owner of "which engine honours which run-config field". Every other field means the same on both
 * engines (the TRL job maps it to the TRL / transformers / PEFT argument of the same meaning).
 */
export function engineRefusals(config: RunConfig): EngineRefusal[] {
  const out: EngineRefusal[] = [];
  if (config.engine === 'builtin') {
    if (config.loadIn4bit) out.push({ field: 'loadIn4bit', message: 'QLoRA (4-bit base) needs the TRL engine on a CUDA GPU; the built-in engine keeps weights in their stored precision' });
  } else {
    if (config.backend !== 'auto') out.push({ field: 'backend', message: `selects a TensorFlow.js backend of the built-in engine ("${config.backend}"); the TRL engine runs on torch: choose devices with --accelerate` });
    if (config.loadIn4bit && config.method !== 'sft' && config.adapter) {
      const m = config.method.toUpperCase();
      out.push({ field: 'loadIn4bit', message: `${m} from an SFT adapter merges that adapter into the base first, which a 4-bit base cannot hold exactly; run ${m} without loadIn4bit` });
    }
  }
  return out;
}

export function formatRefusals(refusals: EngineRefusal[], engine: Engine): string {
  const name = engine === 'trl' ? 'the TRL engine' : 'the built-in engine';
  return refusals.map((r) => `${r.field}: not supported by ${name}: ${r.message}`).join('\n');
}
