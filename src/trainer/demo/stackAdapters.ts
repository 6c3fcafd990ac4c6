// A DPO adapter trained on top of a folded SFT adapter only means something together with that SFT
// adapter. Stacking both into one PEFT adapter of rank r1 + r2 is exact — B·A = B1·A1·s1 + B2·A2·s2 when
// A = [A1; A2], B = [s1·B1, s2·B2] and the stacked scale is 1 (alpha = r) — so any tool that loads one
// PEFT adapter (eval, compare, generate) evaluates the SFT → DPO model as trained.
import { LORA_TARGETS, loraScale, peftKey, readPeftAdapter, writePeftAdapter, type PeftAdapter } from '../engine/peft';

export function stackAdapters(first: PeftAdapter, second: PeftAdapter): { spec: PeftAdapter['spec']; tensors: Map<string, Float32Array>; shapes: Map<string, number[]> } {
  const r1 = first.spec.r;
  const r2 = second.spec.r;
  const r = r1 + r2;
  const s1 = loraScale(first.spec);
  const s2 = loraScale(second.spec);
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  const modules = [...new Set([...first.modules.keys(), ...second.modules.keys()])].sort();
  for (const name of modules) {
    const m1 = first.modules.get(name);
    const m2 = second.modules.get(name);
    const inDim = (m1 ?? m2)!.a.shape[1];
    const outDim = (m1 ?? m2)!.b.shape[0];
    const a = new Float32Array(r * inDim);
    const b = new Float32Array(outDim * r);
    if (m1) a.set(m1.a.data, 0);
    if (m2) a.set(m2.a.data, r1 * inDim);
    for (let o = 0; o < outDim; o++) {
      for (let k = 0; k < r1; k++) b[o * r + k] = m1 ? m1.b.data[o * r1 + k] * s1 : 0;
      for (let k = 0; k < r2; k++) b[o * r + r1 + k] = m2 ? m2.b.data[o * r2 + k] * s2 : 0;
    }
    tensors.set(peftKey(name, 'A'), a);
    tensors.set(peftKey(name, 'B'), b);
    shapes.set(peftKey(name, 'A'), [r, inDim]);
    shapes.set(peftKey(name, 'B'), [outDim, r]);
  }
  const targets = LORA_TARGETS.filter((t) => first.spec.targets.includes(t) || second.spec.targets.includes(t));
  return { spec: { r, alpha: r, dropout: 0, targets, useRslora: false }, tensors, shapes };
}

export function stackAdapterFolders(firstDir: string, secondDir: string, outDir: string, baseModel: string): void {
  const stacked = stackAdapters(readPeftAdapter(firstDir), readPeftAdapter(secondDir));
  writePeftAdapter(outDir, stacked.spec, stacked.tensors, stacked.shapes, baseModel);
}
