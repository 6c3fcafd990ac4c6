// The demo's evaluation of a held-out SFT split: `clinical-ft eval`'s own code path (src/trainer/eval/runEval.ts
// evalAnswers: same prompts, same answer budget, same greedy decoding), then scored with the study's metric for
// the task (src/core/compare/taskScoring.ts, which the Compare panel uses too).
import { loadModel } from '../engine';
import { evalAnswers } from '../eval/runEval';
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

export async function evaluateSet(
  opts: { model: string; adapter?: string; data: string; task: TaskId; maxNewTokens?: number; limit?: number },
  onProgress?: (done: number, total: number) => void,
): Promise<SetResult> {
  const t0 = Date.now();
  const m = await loadModel(opts.model);
  try {
    if (opts.adapter) await m.model.lora.loadTrainable(opts.adapter);
    const res = await evalAnswers(m, opts.data, { ...(opts.maxNewTokens ? { maxNewTokens: opts.maxNewTokens } : {}), ...(opts.limit ? { limit: opts.limit } : {}), ...(onProgress ? { onProgress } : {}) });
    const examples = res.examples.map((ex, i): ExampleResult => ({
      key: ex.id !== undefined ? String(ex.id) : String(i + 1),
      prompt: ex.prompt,
      gold: ex.reference,
      output: res.outputs[i],
      ...scoreExample(opts.task, ex.reference, res.outputs[i]),
    }));
    return { metrics: taskMetrics(opts.task, examples), examples, maxNewTokens: res.maxNewTokens, seconds: (Date.now() - t0) / 1000 };
  } finally {
    m.model.dispose();
  }
}
