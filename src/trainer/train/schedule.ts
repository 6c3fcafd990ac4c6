export type SchedulerName = 'constant' | 'linear' | 'cosine';

/**
 * Learning rate at optimizer step `step` (0-based), as transformers' get_*_schedule_with_warmup:
 * linear warmup from 0, then constant, linear decay to 0, or half-cosine decay to 0 at `totalSteps`.
 */
export function learningRateAt(step: number, opts: { lr: number; warmupSteps: number; totalSteps: number; scheduler: SchedulerName }): number {
  const { lr, warmupSteps, totalSteps, scheduler } = opts;
  if (step < warmupSteps) return (lr * step) / Math.max(1, warmupSteps);
  if (scheduler === 'constant') return lr;
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  if (scheduler === 'linear') return lr * Math.max(0, 1 - progress);
  return lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}
