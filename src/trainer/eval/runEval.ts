import * as fs from 'node:fs';
import * as path from 'node:path';
import { classificationReport, extractLabel, rougeL, type ClassificationReport } from '../../core/evalMetrics';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { generate, type LoadedModel } from '../engine';
import { renderedPromptIds } from '../engine/generationPrompt';
import { loadRecords, DataError } from '../train/dataLoader';
import { evalExample, isClassification, type EvalExample } from './evalExamples';

export interface EvalSummary {
  task: 'classification' | 'free_text';
  count: number;
  classification?: ClassificationReport;
  rougeL?: { precision: number; recall: number; fmeasure: number };
  outDir: string;
}

export interface EvalOutput {
  line: number;
  id?: string | number;
  prompt: string;
  reference: string;
  output: string;
  predicted_label?: string | null;
  correct?: boolean;
  rougeL?: number;
}

/**
 * Greedy generation for every example of an SFT-format file, then accuracy/macro-F1 (classification)
 * or ROUGE-L (free text). Writes metrics.json and outputs.jsonl (what the model said, per example)
 * into outDir so a person can read the answers next to the numbers.
 */
export async function runEval(m: LoadedModel, dataFile: string, outDir: string, opts: { maxNewTokens?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<EvalSummary> {
  const loaded = await loadRecords(dataFile, 'sft');
  if (loaded.kind !== 'sft') throw new DataError(`${dataFile}: evaluation needs SFT-format records`);
  const examples: EvalExample[] = [];
  for (const r of loaded.records) {
    const ex = evalExample(r.record, r.raw, r.line, m.chatTemplate);
    if (!ex) throw new DataError(`${dataFile}:${r.line}: a plain "text" record (or a chat without an assistant turn) has no answer to compare against`);
    examples.push(ex);
  }
  const classification = isClassification(examples, loaded.records.map((r) => r.raw));
  const labels = [...new Set(examples.map((e) => e.label))];
  const tokenLen = (s: string) => m.tokenizer.encode(s, { addSpecialTokens: false }).length;
  const maxNewTokens =
    opts.maxNewTokens ?? (classification ? Math.max(...labels.map(tokenLen)) + 8 : Math.min(512, Math.max(...examples.map((e) => tokenLen(e.reference))) * 2 + 16));
  fs.mkdirSync(outDir, { recursive: true });
  const outputs: EvalOutput[] = [];
  for (const ex of examples) {
    const promptIds = renderedPromptIds(m.tokenizer, ex.prompt);
    const gen = await generate(m, promptIds, { maxNewTokens, temperature: 0, topP: 1, seed: 0 });
    const base = { line: ex.line, ...(ex.id !== undefined ? { id: ex.id } : {}), prompt: ex.prompt, reference: ex.reference, output: gen.text };
    if (classification) {
      const predicted = extractLabel(gen.text, labels);
      outputs.push({ ...base, predicted_label: predicted, correct: predicted === ex.label });
    } else {
      outputs.push({ ...base, rougeL: rougeL(ex.reference, gen.text).fmeasure });
    }
    opts.onProgress?.(outputs.length, examples.length);
  }
  writeFileAtomic(path.join(outDir, 'outputs.jsonl'), outputs.map((o) => `${JSON.stringify(o)}\n`).join(''));
  let summary: EvalSummary;
  if (classification) {
    summary = { task: 'classification', count: examples.length, classification: classificationReport(examples.map((e) => e.label), outputs.map((o) => o.predicted_label ?? null)), outDir };
  } else {
    const scores = examples.map((e, i) => rougeL(e.reference, outputs[i].output));
    const avg = (k: 'precision' | 'recall' | 'fmeasure') => scores.reduce((s, x) => s + x[k], 0) / scores.length;
    summary = { task: 'free_text', count: examples.length, rougeL: { precision: avg('precision'), recall: avg('recall'), fmeasure: avg('fmeasure') }, outDir };
  }
  writeFileAtomic(path.join(outDir, 'metrics.json'), `${JSON.stringify({ data: dataFile, model: m.dir, ...summary }, null, 2)}\n`);
  return summary;
}
