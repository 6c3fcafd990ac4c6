import * as fs from 'node:fs';
import * as path from 'node:path';
import { answerBudget, classificationReport, extractLabel, rougeL } from '../../core/evalMetrics';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { classificationLabels, recordLabel, referenceAnswer } from '../../core/datasets/recordSummary';
import { generationPrompt } from '../../core/prompt/recordSegments';
import type { EvalOutput, EvalSummary } from '../../core/protocol/cliOutputs';
import { generate, type LoadedModel } from '../engine';
import { renderedPromptIds } from '../prompt/renderRecord';
import { loadRecords, DataError } from '../train/dataLoader';

/** What the model is asked (rendered exactly as in training) and the answer it should give. */
export interface EvalExample {
  line: number;
  id?: string | number;
  prompt: string;
  reference: string;
  /** Class label (the one rule of src/core/datasets/recordSummary.ts), or null for a long answer. */
  label: string | null;
}

/** A classification example's gold class: its label, or (for the few long answers the rule tolerates) the answer. */
const goldLabel = (e: EvalExample): string => e.label ?? e.reference.trim();

/** The examples of an SFT-format file, prompted as the trainer renders them; plain text has no answer to ask for. */
export async function loadEvalExamples(m: Pick<LoadedModel, 'chatTemplate'>, dataFile: string, limit?: number): Promise<EvalExample[]> {
  const loaded = await loadRecords(dataFile, 'sft');
  if (loaded.kind !== 'sft') throw new DataError(`${dataFile}: evaluation needs SFT-format records`);
  return loaded.records.slice(0, limit).map((r) => {
    const prompt = generationPrompt(r.record, m.chatTemplate);
    const reference = referenceAnswer(r.record);
    if (prompt === undefined || reference === undefined) {
      throw new DataError(`${dataFile}:${r.line}: a plain "text" record (or a chat without an assistant turn) has no answer to compare against`);
    }
    return { line: r.line, ...(r.record.id !== undefined ? { id: r.record.id } : {}), prompt, reference, label: recordLabel(r.record) };
  });
}

/**
 * Greedy answers for every example, the part `clinical-ft eval` and the demo share: the same prompt ids, the same
 * answer budget (longest reference + margin), the same classification rule.
 */
export async function evalAnswers(
  m: LoadedModel,
  dataFile: string,
  opts: { maxNewTokens?: number; limit?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ examples: EvalExample[]; outputs: string[]; labels: string[] | null; maxNewTokens: number }> {
  const examples = await loadEvalExamples(m, dataFile, opts.limit);
  const labels = classificationLabels(examples.map((e) => e.label))?.map((l) => l.label) ?? null;
  const tokenLen = (s: string) => m.tokenizer.encode(s, { addSpecialTokens: false }).length;
  const maxNewTokens = opts.maxNewTokens ?? answerBudget(examples.map((e) => tokenLen(e.reference)));
  const outputs: string[] = [];
  for (const ex of examples) {
    const gen = await generate(m, renderedPromptIds(m.tokenizer, ex.prompt), { maxNewTokens, temperature: 0, topP: 1, seed: 0 });
    outputs.push(gen.text);
    opts.onProgress?.(outputs.length, examples.length);
  }
  return { examples, outputs, labels, maxNewTokens };
}

/**
 * Greedy generation for every example of an SFT-format file, then accuracy/macro-F1 (classification)
 * or ROUGE-L (free text). Writes metrics.json and outputs.jsonl (what the model said, per example)
 * into outDir so a person can read the answers next to the numbers.
 */
export async function runEval(m: LoadedModel, dataFile: string, outDir: string, opts: { maxNewTokens?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<EvalSummary> {
  const { examples, outputs: texts, labels } = await evalAnswers(m, dataFile, opts);
  fs.mkdirSync(outDir, { recursive: true });
  const outputs: EvalOutput[] = examples.map((ex, i) => {
    const base = { line: ex.line, ...(ex.id !== undefined ? { id: ex.id } : {}), prompt: ex.prompt, reference: ex.reference, output: texts[i] };
    if (!labels) return { ...base, rougeL: rougeL(ex.reference, texts[i]).fmeasure };
    const predicted = extractLabel(texts[i], labels);
    return { ...base, predicted_label: predicted, correct: predicted === goldLabel(ex) };
  });
  writeFileAtomic(path.join(outDir, 'outputs.jsonl'), outputs.map((o) => `${JSON.stringify(o)}\n`).join(''));
  let summary: EvalSummary;
  if (labels) {
    summary = { task: 'classification', count: examples.length, classification: classificationReport(examples.map(goldLabel), outputs.map((o) => o.predicted_label ?? null)), outDir };
  } else {
    const scores = examples.map((e, i) => rougeL(e.reference, texts[i]));
    const avg = (k: 'precision' | 'recall' | 'fmeasure') => scores.reduce((s, x) => s + x[k], 0) / scores.length;
    summary = { task: 'free_text', count: examples.length, rougeL: { precision: avg('precision'), recall: avg('recall'), fmeasure: avg('fmeasure') }, outDir };
  }
  writeFileAtomic(path.join(outDir, 'metrics.json'), `${JSON.stringify({ data: dataFile, model: m.dir, ...summary }, null, 2)}\n`);
  return summary;
}
