// A fact sheet's facts as the CLI gathers them, small and hand-checkable, for the assembly tests.
import type { EvaluationFacts, FactSheetInputs } from '../../../src/core/factsheet/inputs';

export function evaluation(row: string, source: string, values: Record<string, number>, examples: { score: number; subgroup: string | null }[] = []): EvaluationFacts {
  return { row, source, dataset: '/data/triage.eval.sft.jsonl', metrics: Object.entries(values).map(([key, value]) => ({ key, label: `Metric ${key}`, value })), examples };
}

export function sampleInputs(over: Partial<FactSheetInputs> = {}): FactSheetInputs {
  return {
    createdAt: '2026-11-30T12:00:00.000Z',
    run: {
      dir: '/runs/dpo-s1',
      id: 'dpo-s1',
      status: 'completed',
      method: 'dpo',
      engine: 'builtin',
      backend: 'wasm',
      threads: 2,
      versions: { tfjs: '4.22.0', node: 'v20.0.0' },
      startedAt: '2026-11-30T11:00:00.000Z',
      endedAt: '2026-11-30T11:05:00.000Z',
      startingAdapter: '/runs/sft-s1/adapter',
      config: { method: 'dpo', steps: 5, lr: 0.0003, maxLength: 384, lora: { r: 8, alpha: 16 } },
    },
    baseModel: { dir: '/models/tiny', name: 'tiny-llama', architecture: 'LlamaForCausalLM', weights: [{ path: '/models/tiny/model.safetensors', bytes: 10, sha256: 'ab'.repeat(32) }] },
    adapterWeights: [],
    data: [
      { path: '/data/triage.train.dpo.jsonl', bytes: 100, sha256: 'cd'.repeat(32), role: 'train', format: 'preference', records: 300, errors: 0, duplicates: 2, phiByKind: { phone: 3, name: 1 } },
      { path: '/data/triage.eval.sft.jsonl', bytes: 50, sha256: 'ef'.repeat(32), role: 'eval', format: 'messages', records: 100, errors: 0, duplicates: 0, phiByKind: {}, leakage: [{ against: '/data/triage.train.dpo.jsonl', exact: 4, near: 1 }] },
    ],
    training: {
      loss: [[1, 0.69], [2, 0.6], [3, 0.55]],
      evalLoss: [[3, 0.7]],
      rewardAccuracy: [[1, 0], [2, 0.5], [3, 1]],
      evalRewardAccuracy: [],
      truncated: { train: 7, eval: 0 },
      badMetricLines: 0,
    },
    evaluations: [
      evaluation('base', '/demo/base', { f1: 0.2 }),
      evaluation('SFT', '/runs/sft-s1', { f1: 0.5 }),
      evaluation('SFT', '/runs/sft-s2', { f1: 0.7 }),
      evaluation('DPO', '/runs/dpo-s1', { f1: 0.6 }),
      evaluation('DPO', '/runs/dpo-s2', { f1: 0.8 }),
    ],
    agreement: null,
    agreementNote: 'no preference labels from two annotators were found.',
    environment: null,
    ...over,
  };
}
