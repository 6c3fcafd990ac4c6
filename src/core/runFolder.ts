import { z } from 'zod';
import { ResolvedBackend, RunConfig } from './runConfig';

/** Layout of a run folder (DESIGN.md contract). */
export const RUN_FILES = {
  runJson: 'run.json',
  metrics: 'metrics.jsonl',
  adapter: 'adapter',
  checkpoints: 'checkpoints',
  log: 'trainer.log',
  lock: 'trainer.lock',
} as const;

export const RunStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

/** run.json: resolved config, backend actually used, versions, status and times. */
export const RunRecord = z.object({
  id: z.string(),
  config: RunConfig,
  status: RunStatus,
  backend: ResolvedBackend.optional(),
  versions: z.record(z.string(), z.string()).default({}),
  totalSteps: z.number().int().min(0).optional(),
  pid: z.number().int().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  error: z.string().optional(),
  lastCheckpoint: z.number().int().optional(),
  /** The starting adapter that adapter/ already contains (stacked): adapter/ applies to the base alone. */
  adapterStackedOn: z.string().optional(),
  /** Examples whose every trained token --max-length cut off (named in trainer.log). */
  untrainedExamples: z.object({ train: z.number().int().min(0), eval: z.number().int().min(0) }).optional(),
  /** Threads the run computes with (native BLAS; 1 on backends without it). */
  threads: z.number().int().positive().optional(),
  /** The memory pre-flight's estimate of the peak, in bytes (src/core/memory). */
  memoryEstimate: z.object({ processBytes: z.number(), heapBytes: z.number(), weightBytes: z.number(), checkpointedLayers: z.number().int().optional() }).optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;
