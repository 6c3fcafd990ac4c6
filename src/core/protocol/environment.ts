import { z } from 'zod';

/** One training backend as probed by the trainer process. */
export const BackendProbe = z.strictObject({
  name: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']),
  package: z.string(),
  available: z.boolean(),
  detail: z.string(),
  /** CUDA devices (tensorflow-gpu), SIMD/threads (wasm). */
  features: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type BackendProbe = z.infer<typeof BackendProbe>;

/** A quick matmul on the selected backend (its fast kernels installed): the machine's speed class. */
export const SpeedProbe = z.strictObject({
  backend: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']),
  /** n × n float32 matrices multiplied. */
  size: z.number().int().positive(),
  repeats: z.number().int().positive(),
  seconds: z.number().positive(),
  gflops: z.number().nonnegative(),
});
export type SpeedProbe = z.infer<typeof SpeedProbe>;

export const EnvironmentReport = z.strictObject({
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpus: z.number().int(),
  cpuModel: z.string(),
  totalMemoryMB: z.number(),
  tfjsVersion: z.string(),
  backends: z.array(BackendProbe),
  selected: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']),
  /** Absent in reports from builds before the speed probe, or when the measurement failed. */
  speed: SpeedProbe.optional(),
});
export type EnvironmentReport = z.infer<typeof EnvironmentReport>;
