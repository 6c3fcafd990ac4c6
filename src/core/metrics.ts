import { z } from 'zod';

/**
 * One line of metrics.jsonl. Names follow TRL (loss, learning_rate, grad_norm, rewards/chosen, ...);
 * eval lines carry eval_-prefixed names. Unknown numeric keys are kept so newer trainers stay readable.
 */
export const MetricsRecord = z
  .object({
    step: z.number().int().min(0),
    epoch: z.number().min(0),
    time: z.string().optional(),
  })
  .catchall(z.number().nullable());
export type MetricsRecord = z.infer<typeof MetricsRecord>;

export const TRAIN_METRIC_NAMES = ['loss', 'learning_rate', 'grad_norm', 'tokens_per_second', 'num_tokens'] as const;
export const DPO_METRIC_NAMES = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/margins',
  'rewards/accuracies',
  'logps/chosen',
  'logps/rejected',
] as const;
