// `clinical-ft export`: a base model + LoRA adapter merged and written as a Hugging Face folder or a GGUF file
// with an Ollama Modelfile. The output appears under its final name only when complete (stagingFolder).
import * as path from 'node:path';
import { ExportError, MergedWeights } from './mergedWeights';
import { stagingFolderFor } from './stagingFolder';
import { ExportSteps, type ExportProgress } from './exportSteps';
import { writeHfFolder, type HfDtype } from './hfFolder';
import { ggufTensorCount, writeGgufFolder, type GgufFileType } from './ggufFile';

export const EXPORT_FORMATS = ['hf', 'gguf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_DTYPES = ['bf16', 'f16', 'f32'] as const;
export type ExportDtype = (typeof EXPORT_DTYPES)[number];
export const EXPORT_QUANTS = ['q8_0'] as const;

export interface ExportRequest {
  model: string;
  adapter?: string;
  out: string;
  format: ExportFormat;
  dtype?: string;
  quant?: string;
  /** Largest safetensors shard (hf); transformers' 5 GB by default. */
  maxShardBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
  onWarning?: (message: string) => void;
}

export interface ExportResult {
  out: string;
  files: string[];
  mergedTensors: number;
}

const HF_DTYPE: Record<ExportDtype, HfDtype> = { bf16: 'BF16', f16: 'F16', f32: 'F32' };

/** Checks the format/dtype/quant combination before anything is read. */
export function checkExportOptions(format: string, dtype: string | undefined, quant: string | undefined): void {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ExportError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got "${format}")`);
  if (dtype !== undefined && !(EXPORT_DTYPES as readonly string[]).includes(dtype)) throw new ExportError(`--dtype must be one of ${EXPORT_DTYPES.join(', ')} (got "${dtype}")`);
  if (quant !== undefined && !(EXPORT_QUANTS as readonly string[]).includes(quant)) throw new ExportError(`--quant ${quant} is not written here (supported: ${EXPORT_QUANTS.join(', ')}); llama.cpp's llama-quantize makes other types from the f16 GGUF`);
  if (format === 'hf' && quant !== undefined) throw new ExportError('--quant applies to --format gguf only (a Hugging Face folder keeps float weights)');
  if (format === 'gguf' && dtype !== undefined && dtype !== 'f16') throw new ExportError(`--format gguf writes f16 (or --quant q8_0); --dtype ${dtype} is for --format hf`);
}

export async function exportModel(req: ExportRequest): Promise<ExportResult> {
  checkExportOptions(req.format, req.dtype, req.quant);
  const progress = req.onProgress ?? (() => undefined);
  const warn = req.onWarning ?? (() => undefined);
  const weights = new MergedWeights(req.model, req.adapter);
  try {
    const name = path.basename(path.resolve(req.out));
    const fileType: GgufFileType = req.quant === 'q8_0' ? 'Q8_0' : 'F16';
    // Refusals (architecture, tokenizer) come from planning, before the output folder exists.
    const total = req.format === 'hf' ? weights.keys().length : ggufTensorCount(weights, req.model, fileType, name);
    const steps = new ExportSteps(total, progress, req.signal);
    steps.check();
    const staging = stagingFolderFor(req.out);
    try {
      const files =
        req.format === 'hf'
          ? await writeHfFolder(weights, req.model, staging.dir, req.dtype ? HF_DTYPE[req.dtype as ExportDtype] : weights.baseDtype(), steps, req.maxShardBytes)
          : await writeGgufFolder(weights, req.model, staging.dir, fileType, name, steps, warn);
      steps.check();
      staging.commit();
      return { out: path.resolve(req.out), files, mergedTensors: weights.mergedCount };
    } finally {
      staging.discard();
    }
  } finally {
    weights.close();
  }
}
