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

/** The metric names (TRL's), defined once: the trainer writes them, the dashboard and the CSV export read them. */
export const METRIC = {
  loss: 'loss',
  learningRate: 'learning_rate',
  gradNorm: 'grad_norm',
  tokensPerSecond: 'tokens_per_second',
  numTokens: 'num_tokens',
  rewardsChosen: 'rewards/chosen',
  rewardsRejected: 'rewards/rejected',
  rewardsMargins: 'rewards/margins',
  rewardsAccuracies: 'rewards/accuracies',
  logpsChosen: 'logps/chosen',
  logpsRejected: 'logps/rejected',
  /** KTO: the clamped estimate of KL(policy ‖ reference) from mismatched prompt/completion pairs. */
  kl: 'kl',
  /** ORPO: the chosen answers' NLL over prompt and answer (TRL's nll_loss). */
  nllLoss: 'nll_loss',
  /** ORPO: mean log σ(log odds ratio), the term λ scales (TRL's name). */
  logOddsRatio: 'log_odds_ratio',
  /** ORPO: mean log odds ratio of chosen over rejected. */
  logOddsChosen: 'log_odds_chosen',
} as const;

/** Eval lines carry the same names with this prefix (TRL's eval_loss, eval_rewards/chosen, ...). */
export const EVAL_PREFIX = 'eval_';
export const evalMetric = (name: string): string => `${EVAL_PREFIX}${name}`;

export const TRAIN_METRIC_NAMES = [METRIC.loss, METRIC.learningRate, METRIC.gradNorm, METRIC.tokensPerSecond, METRIC.numTokens] as const;
export const DPO_METRIC_NAMES = [METRIC.rewardsChosen, METRIC.rewardsRejected, METRIC.rewardsMargins, METRIC.rewardsAccuracies, METRIC.logpsChosen, METRIC.logpsRejected] as const;
/** Per method, the preference metrics its trainer writes (TRL's names for KTOTrainer, ORPOTrainer, CPOTrainer(simpo)). */
export const PREFERENCE_METRIC_NAMES = {
  dpo: DPO_METRIC_NAMES,
  kto: [METRIC.kl, METRIC.rewardsChosen, METRIC.rewardsRejected, METRIC.rewardsMargins, METRIC.logpsChosen, METRIC.logpsRejected],
  orpo: [...DPO_METRIC_NAMES, METRIC.nllLoss, METRIC.logOddsRatio, METRIC.logOddsChosen],
  simpo: DPO_METRIC_NAMES,
} as const;
