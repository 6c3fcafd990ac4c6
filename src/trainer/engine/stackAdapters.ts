// An adapter trained on top of a folded starting adapter only means something together with it. Stacking
// both into one PEFT adapter of rank r1 + r2 is exact — B·A = B1·A1·s1 + B2·A2·s2 when A = [A1; A2],
// B = [s1·B1, s2·B2] and the stacked scale is 1 (alpha = r) — so any tool that loads one PEFT adapter
// (eval, compare, generate, export, PEFT itself) applies it to the base model alone, as trained.
import { LORA_TARGETS, loraScale, readPeftAdapter, writePeftAdapterOf, type PeftAdapter } from './peft';

export function stackAdapters(first: PeftAdapter, second: PeftAdapter): PeftAdapter {
  const r1 = first.spec.r;
  const r2 = second.spec.r;
  const r = r1 + r2;
  const s1 = loraScale(first.spec);
  const s2 = loraScale(second.spec);
  const modules: PeftAdapter['modules'] = new Map();
  for (const name of [...new Set([...first.modules.keys(), ...second.modules.keys()])].sort()) {
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
    modules.set(name, { a: { shape: [r, inDim], data: a }, b: { shape: [outDim, r], data: b } });
  }
  const targets = LORA_TARGETS.filter((t) => first.spec.targets.includes(t) || second.spec.targets.includes(t));
  return { spec: { r, alpha: r, dropout: 0, targets, useRslora: false }, modules };
}

export function stackAdapterFolders(firstDir: string, secondDir: string, outDir: string, baseModel: string): void {
  writePeftAdapterOf(outDir, stackAdapters(readPeftAdapter(firstDir), readPeftAdapter(secondDir)), baseModel);
}
