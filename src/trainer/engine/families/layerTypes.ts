import type { ConfigReader } from '../hfConfig';

export type LayerType = 'full_attention' | 'sliding_attention';

/** config.json's layer_types, checked: one entry per layer, each full_attention or sliding_attention. */
export function readLayerTypes(r: ConfigReader, numLayers: number, fallback: (i: number) => LayerType): LayerType[] {
  const raw = r.raw.layer_types;
  if (raw === undefined || raw === null) return Array.from({ length: numLayers }, (_, i) => fallback(i));
  if (!Array.isArray(raw) || raw.length !== numLayers) r.fail(`key "layer_types" must list one entry per layer (${numLayers}), got ${JSON.stringify(raw)}`);
  return (raw as unknown[]).map((t, i) => {
    if (t !== 'full_attention' && t !== 'sliding_attention') r.fail(`key "layer_types[${i}]" is ${JSON.stringify(t)}; supported: "full_attention", "sliding_attention"`);
    return t as LayerType;
  });
}

/** An optional positive number (soft-capping): null and absent both mean off. */
export function optionalPositive(r: ConfigReader, key: string): number | undefined {
  const v = r.raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) r.fail(`key "${key}" must be a positive number or null (got ${JSON.stringify(v)})`);
  return v as number;
}
