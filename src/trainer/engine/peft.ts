import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoraSpec } from './types';
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from './safetensors';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { readJsonObject } from './jsonFile';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/** "model.layers.3.self_attn.q_proj" → the PEFT key prefix of its adapter tensors. */
export function peftKey(moduleName: string, which: 'A' | 'B'): string {
  return `base_model.model.${moduleName}.lora_${which}.weight`;
}

export function loraScale(spec: Pick<LoraSpec, 'r' | 'alpha' | 'useRslora'>): number {
  return spec.useRslora ? spec.alpha / Math.sqrt(spec.r) : spec.alpha / spec.r;
}

export interface PeftAdapter {
  spec: LoraSpec;
  /** Module name → A [r, in], B [out, r]. */
  modules: Map<string, { a: { shape: number[]; data: Float32Array }; b: { shape: number[]; data: Float32Array } }>;
}

/** Reads a PEFT LoRA adapter folder; unknown config keys are ignored, unsupported features are named. */
export function readPeftAdapter(dir: string): PeftAdapter {
  const cfgFile = path.join(dir, ADAPTER_CONFIG);
  const cfg = readJsonObject(cfgFile);
  const field = (key: string): never => {
    throw new Error(`${cfgFile}: key "${key}" has unsupported value ${JSON.stringify(cfg[key])}`);
  };
  if (cfg.peft_type !== undefined && cfg.peft_type !== 'LORA') field('peft_type');
  if (typeof cfg.r !== 'number' || !Number.isInteger(cfg.r) || cfg.r <= 0) field('r');
  const r = cfg.r as number;
  const alpha = cfg.lora_alpha === undefined ? r : cfg.lora_alpha;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) field('lora_alpha');
  const dropout = cfg.lora_dropout === undefined ? 0 : cfg.lora_dropout;
  if (typeof dropout !== 'number' || dropout < 0 || dropout >= 1) field('lora_dropout');
  if (cfg.bias !== undefined && cfg.bias !== 'none') field('bias');
  if (cfg.fan_in_fan_out === true) field('fan_in_fan_out');
  if (cfg.use_dora === true) field('use_dora');
  for (const key of ['rank_pattern', 'alpha_pattern']) {
    const v = cfg[key];
    if (v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v).length === 0)) field(key);
  }
  const useRslora = cfg.use_rslora === true;

  const weightsFile = path.join(dir, ADAPTER_WEIGHTS);
  if (!fs.existsSync(weightsFile)) {
    throw new Error(`${dir}: no ${ADAPTER_WEIGHTS}${fs.existsSync(path.join(dir, 'adapter_model.bin')) ? ' (adapter_model.bin is a pickle; only safetensors adapters can be loaded)' : ''}`);
  }
  const st = SafetensorsFile.open(weightsFile);
  try {
    const modules: PeftAdapter['modules'] = new Map();
    const pattern = /^base_model\.model\.(.+\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj))\.lora_([AB])(?:\.default)?\.weight$/;
    const found = new Map<string, { a?: string; b?: string }>();
    for (const key of st.tensors.keys()) {
      const m = pattern.exec(key);
      if (!m) {
        if (/lora_|modules_to_save/.test(key)) throw new Error(`${weightsFile}: tensor "${key}" is not a LoRA weight of a supported module`);
        continue;
      }
      const entry = found.get(m[1]) ?? {};
      entry[m[3] === 'A' ? 'a' : 'b'] = key;
      found.set(m[1], entry);
    }
    if (found.size === 0) throw new Error(`${weightsFile}: no LoRA tensors (expected keys like "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")`);
    const targets = new Set<string>();
    for (const [name, keys] of found) {
      if (!keys.a || !keys.b) throw new Error(`${weightsFile}: missing tensor "${peftKey(name, keys.a ? 'B' : 'A')}"`);
      const a = st.readFloat32(keys.a);
      const b = st.readFloat32(keys.b);
      if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== r || b.shape[1] !== r) {
        throw new Error(`${weightsFile}: tensors "${keys.a}" ${JSON.stringify(a.shape)} and "${keys.b}" ${JSON.stringify(b.shape)} do not match r=${r}`);
      }
      modules.set(name, { a, b });
      targets.add(name.slice(name.lastIndexOf('.') + 1));
    }
    const spec: LoraSpec = { r, alpha: alpha as number, dropout: dropout as number, targets: LORA_TARGETS.filter((t) => targets.has(t)), useRslora };
    return { spec, modules };
  } finally {
    st.close();
  }
}

/** Writes adapter_config.json + adapter_model.safetensors exactly as PEFT does, each file atomically. */
export function writePeftAdapter(dir: string, spec: LoraSpec, tensors: Map<string, Float32Array>, shapes: Map<string, number[]>, baseModelNameOrPath: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const out = new Map<string, TensorToWrite>();
  for (const [key, data] of tensors) out.set(key, { dtype: 'F32', shape: shapes.get(key)!, data });
  writeSafetensors(path.join(dir, ADAPTER_WEIGHTS), out, { format: 'pt' });
  const config = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModelNameOrPath,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: spec.alpha,
    lora_dropout: spec.dropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: spec.r,
    rank_pattern: {},
    revision: null,
    target_modules: [...spec.targets],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: spec.useRslora,
  };
  writeFileAtomic(path.join(dir, ADAPTER_CONFIG), `${JSON.stringify(config, null, 2)}\n`);
}

/** Writes an in-memory adapter (as readPeftAdapter returns it) in PEFT's format. */
export function writePeftAdapterOf(dir: string, adapter: PeftAdapter, baseModelNameOrPath: string): void {
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  for (const [name, m] of adapter.modules) {
    for (const [which, t] of [['A', m.a], ['B', m.b]] as const) {
      tensors.set(peftKey(name, which), t.data);
      shapes.set(peftKey(name, which), t.shape);
    }
  }
  writePeftAdapter(dir, adapter.spec, tensors, shapes, baseModelNameOrPath);
}
