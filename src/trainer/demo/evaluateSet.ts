// Greedy generation over a held-out SFT split, prompted exactly as training rendered the record (the
// trainer's own segmenting: everything before the first trained segment is the prompt), then scored with
// the study's metric for the task.
import * as fs from 'node:fs';
import { loadModel, generate, type LoadedModel } from '../engine';
import { renderedPromptIds } from '../engine/generationPrompt';
import { sftSegments, type SftRecord } from '../train/sftExamples';
import { scoreExample, taskMetrics, type TaskId, type TaskMetric } from '../../core/compare/taskScoring';

export interface ExampleResult {
  key: string;
  prompt: string;
  gold: string;
  output: string;
  predicted: string | null;
  score: number;
}

export interface SetResult {
  metrics: TaskMetric[];
  examples: ExampleResult[];
  /** The generation budget every example had. */
  maxNewTokens: number;
  seconds: number;
}

/** The reference answer of an SFT record in any of the formats. */
export function goldOf(record: SftRecord): string {
  if ('messages' in record) return [...record.messages].reverse().find((m) => m.role === 'assistant')?.content ?? '';
  if ('instruction' in record) return record.output;
  if ('completion' in record) return typeof record.completion === 'string' ? record.completion : record.completion.map((m) => m.content).join('\n');
  return record.text;
}

export function readJsonl(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`${file}:${i + 1}: not valid JSON`);
      }
    });
}

export function promptIds(m: LoadedModel, record: SftRecord): { ids: number[]; text: string } {
  const { segments } = sftSegments(record, m.chatTemplate);
  const firstTrained = segments.findIndex((s) => s.train);
  const text = segments.slice(0, firstTrained < 0 ? segments.length : firstTrained).map((s) => s.text).join('');
  return { ids: renderedPromptIds(m.tokenizer, text), text };
}

/**
 * Room for the longest gold answer plus a margin: a fixed budget per task silently cut answers short
 * ("Responder: fron" scored as wrong). Greedy decoding stops at EOS, so the margin costs time only on rambling.
 */
export function answerBudget(m: LoadedModel, golds: string[]): number {
  return Math.max(1, ...golds.map((g) => m.tokenizer.encode(g, { addSpecialTokens: false }).length)) + 16;
}

export async function evaluateSet(
  opts: { model: string; adapter?: string; data: string; task: TaskId; maxNewTokens?: number; limit?: number },
  onProgress?: (done: number, total: number) => void,
): Promise<SetResult> {
  const t0 = Date.now();
  const m = await loadModel(opts.model);
  try {
    if (opts.adapter) await m.model.lora.loadTrainable(opts.adapter);
    const records = readJsonl(opts.data).slice(0, opts.limit);
    const maxNewTokens = opts.maxNewTokens ?? answerBudget(m, records.map((r) => goldOf(r as unknown as SftRecord)));
    const examples: ExampleResult[] = [];
    for (const [i, raw] of records.entries()) {
      const record = raw as unknown as SftRecord;
      const prompt = promptIds(m, record);
      const res = await generate(m, prompt.ids, { maxNewTokens, temperature: 0, topP: 1, seed: 0 });
      const gold = goldOf(record);
      const scored = scoreExample(opts.task, gold, res.text);
      examples.push({ key: typeof raw.id === 'string' ? raw.id : String(i + 1), prompt: prompt.text, gold, output: res.text, ...scored });
      onProgress?.(i + 1, records.length);
    }
    return { metrics: taskMetrics(opts.task, examples), examples, maxNewTokens, seconds: (Date.now() - t0) / 1000 };
  } finally {
    m.model.dispose();
  }
}
