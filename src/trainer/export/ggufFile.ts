// The merged model as one GGUF file (f16 or q8_0) plus an Ollama Modelfile beside it.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { writeNewFile } from '../../core/node/atomicWrite';
import { readJsonObject } from '../engine/jsonFile';
import { readHfConfig } from '../engine/hfConfig';
import { loadChatTemplate } from '../engine/chatTemplate';
import { FILE_TYPE, encodeGgufHeader, encodeTensorData, paddingAfter, str, u32, type GgufTensorInfo, type GgufValue } from './ggufFormat';
import { ggufArchOf, ggufHyperParameters, ggufTensorName, ggufTensorType, ggufTransform, ropeFrequencyFactors } from './ggufArchitecture';
import { ggufTokenizer } from './ggufTokenizer';
import { ollamaModelfile } from './ollamaModelfile';
import type { MergedWeights } from './mergedWeights';
import { PieceWriter } from './stagingFolder';
import type { ExportSteps } from './exportSteps';

export type GgufFileType = 'F16' | 'Q8_0';

interface PlannedTensor extends GgufTensorInfo {
  /** The HF key it comes from, or the generated data (rope_freqs). */
  source: string | Float32Array;
  transform?: (d: Float32Array) => Float32Array;
}

/** Everything that can be refused (architecture, tokenizer, tensor names) is checked here, before a byte is written. */
export function planGguf(weights: MergedWeights, modelDir: string, fileType: GgufFileType, name: string): { metadata: [string, GgufValue][]; tensors: PlannedTensor[]; tokenizer: ReturnType<typeof ggufTokenizer> } {
  const configFile = path.join(modelDir, 'config.json');
  const config = readHfConfig(modelDir);
  const raw = readJsonObject(configFile);
  const arch = ggufArchOf(config, configFile);
  const tokenizer = ggufTokenizer(modelDir, config.vocabSize, raw);
  const metadata: [string, GgufValue][] = [
    ['general.architecture', str(arch)],
    ['general.name', str(name)],
    ['general.file_type', u32(FILE_TYPE[fileType])],
    ['general.quantization_version', u32(2)],
    ...ggufHyperParameters(arch, config, raw, configFile),
    ...tokenizer.metadata,
  ];
  const tensors: PlannedTensor[] = [];
  for (const key of weights.keys()) {
    const gname = ggufTensorName(key, config);
    if (!gname) continue;
    const shape = weights.shapeOf(key);
    const transform = ggufTransform(arch, key, shape, config);
    tensors.push({ name: gname, shape, type: ggufTensorType(gname, shape, fileType), source: key, ...(transform ? { transform } : {}) });
  }
  const freqs = ropeFrequencyFactors(config);
  if (freqs) tensors.push({ name: 'rope_freqs.weight', shape: [freqs.length], type: 'F32', source: freqs });
  // llama.cpp loads tensors by name; the converter's order (embeddings, then block by block) keeps reads sequential.
  const rank = (n: string): number[] => {
    const m = /^blk\.(\d+)\./.exec(n);
    return m ? [1, Number(m[1])] : n === 'token_embd.weight' || n === 'rope_freqs.weight' ? [0, 0] : [2, 0];
  };
  tensors.sort((a, b) => {
    const ra = rank(a.name);
    const rb = rank(b.name);
    return ra[0] - rb[0] || ra[1] - rb[1];
  });
  return { metadata, tensors, tokenizer };
}

export function ggufFileName(name: string, fileType: GgufFileType): string {
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'model';
  return `${base}-${fileType.toLowerCase()}.gguf`;
}

export async function writeGgufFolder(weights: MergedWeights, modelDir: string, outDir: string, fileType: GgufFileType, name: string, steps: ExportSteps, onWarning: (m: string) => void): Promise<string[]> {
  const plan = planGguf(weights, modelDir, fileType, name);
  const { header, offsets } = encodeGgufHeader(plan.metadata, plan.tensors);
  const file = ggufFileName(name, fileType);
  const w = new PieceWriter(path.join(outDir, file));
  try {
    w.write(header);
    const dataStart = header.length;
    for (let i = 0; i < plan.tensors.length; i++) {
      const t = plan.tensors[i];
      await steps.tensor(t.name);
      if (w.bytesWritten !== dataStart + offsets[i]) throw new Error(`GGUF writer: tensor "${t.name}" would start at ${w.bytesWritten - dataStart}, its info says ${offsets[i]}`);
      let data = typeof t.source === 'string' ? weights.read(t.source) : t.source;
      if (t.transform) data = t.transform(data);
      const bytes = encodeTensorData(data, t.type);
      w.write(bytes);
      w.write(paddingAfter(bytes.length));
    }
    w.close();
  } catch (e) {
    w.abandon();
    throw e;
  }
  const tcFile = path.join(modelDir, 'tokenizer_config.json');
  const tc = fs.existsSync(tcFile) ? readJsonObject(tcFile) : {};
  const template = plan.tokenizer.chatTemplate !== undefined ? loadChatTemplate({ ...tc, chat_template: plan.tokenizer.chatTemplate }, tcFile) : undefined;
  const genFile = path.join(modelDir, 'generation_config.json');
  const specials = new Set<string>();
  plan.tokenizer.tokens.forEach((t) => {
    if (/^<[|｜].*[|｜]>$|^<\/?s>$/.test(t)) specials.add(t);
  });
  const modelfile = ollamaModelfile({
    ggufFile: file,
    ...(template ? { template } : {}),
    ...(plan.tokenizer.addBos && plan.tokenizer.bosToken ? { bos: plan.tokenizer.bosToken } : {}),
    stops: plan.tokenizer.eosToken ? [plan.tokenizer.eosToken] : [],
    specialTokens: specials,
    ...(fs.existsSync(genFile) ? { generationConfig: readJsonObject(genFile) } : {}),
  });
  if (modelfile.warning) onWarning(`Modelfile: ${modelfile.warning}`);
  writeNewFile(path.join(outDir, 'Modelfile'), modelfile.text);
  return [file, 'Modelfile'];
}

/** How many tensors a GGUF export writes (for progress totals). */
export function ggufTensorCount(weights: MergedWeights, modelDir: string, fileType: GgufFileType, name: string): number {
  return planGguf(weights, modelDir, fileType, name).tensors.length;
}
