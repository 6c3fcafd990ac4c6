// Choices the "Compare runs" command offers, derived from the selected runs' configs.
import type { Method } from '../preferences/methods';

export interface RunChoice {
  id: string;
  method: Method;
  model: string;
  data: string;
  evalData?: string;
}

/**
 * Held-out files a comparison can use: each run's --eval-data, then the eval split next to its training
 * file (x.train.sft.jsonl → x.eval.sft.jsonl; pairs x.train.dpo.jsonl → x.eval.sft.jsonl, since outputs
 * are compared by generating answers, not by scoring pairs). Deduplicated, in that order.
 */
export function evalCandidates(runs: RunChoice[]): string[] {
  const out: string[] = [];
  const add = (p: string | undefined) => p && !out.includes(p) && out.push(p);
  for (const r of runs) add(r.evalData);
  for (const r of runs) {
    if (/\.train\.dpo\.jsonl$/.test(r.data)) add(r.data.replace(/\.train\.dpo\.jsonl$/, '.eval.sft.jsonl'));
    else if (/\.train\./.test(r.data)) add(r.data.replace(/\.train\./, '.eval.'));
  }
  return out;
}

/** Column names: "base", then "SFT", "DPO" — with the run id when a method appears more than once. */
export function modelNames(runs: RunChoice[]): string[] {
  const count = (m: string) => runs.filter((r) => r.method === m).length;
  return ['base', ...runs.map((r) => (count(r.method) > 1 ? `${r.method.toUpperCase()} ${r.id}` : r.method.toUpperCase()))];
}

/** The base model every run shares, if they share one. */
export function sharedModel(runs: RunChoice[]): string | undefined {
  const models = new Set(runs.map((r) => r.model));
  return models.size === 1 ? [...models][0] : undefined;
}
