import { z } from 'zod';

/** host ↔ environment panel. The webview says `ready`; the host answers with the whole view (latest wins). */

const Fact = z.strictObject({ label: z.string(), value: z.string() });

export const EnvironmentView = z.strictObject({
  backend: z.strictObject({ name: z.string(), label: z.string() }),
  /** One sentence: why this backend and not a faster one. */
  why: z.string(),
  /** Every backend tried, in order of preference, each with a one-line reason (never a stack). */
  tried: z.array(z.strictObject({ name: z.string(), label: z.string(), available: z.boolean(), chosen: z.boolean(), reason: z.string() })),
  speed: z.strictObject({
    /** slow | cpu | fast-cpu | gpu, or unmeasured. */
    class: z.enum(['slow', 'cpu', 'fast-cpu', 'gpu', 'unmeasured']),
    headline: z.string(),
    detail: z.string(),
  }),
  threads: z.string(),
  nativeKernels: z.strictObject({ present: z.boolean(), detail: z.string() }),
  /** Ways to train faster on this machine or elsewhere; `done` ones are already in place. */
  faster: z.array(z.strictObject({ id: z.enum(['native-kernels', 'tfjs-node', 'trl-gpu']), title: z.string(), done: z.boolean(), detail: z.string() })),
  /** Absent where the Python stack was not probed (the CLI). */
  python: z.strictObject({ state: z.enum(['off', 'error', 'ready', 'incomplete']), summary: z.string(), facts: z.array(Fact) }).optional(),
  facts: z.array(Fact),
});
export type EnvironmentView = z.infer<typeof EnvironmentView>;

export const EnvironmentHostMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('probing') }),
  z.strictObject({ type: z.literal('view'), view: EnvironmentView }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
  z.strictObject({ type: z.literal('copied') }),
]);
export type EnvironmentHostMessage = z.infer<typeof EnvironmentHostMessage>;

export const EnvironmentWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('refresh') }),
  /** Copies the plain-text report (the CLI's `clinical-ft env` text) to the clipboard. */
  z.strictObject({ type: z.literal('copy') }),
  /** Opens the setting that points the TRL engine at a Python interpreter. */
  z.strictObject({ type: z.literal('openPythonSetting') }),
]);
export type EnvironmentWebviewMessage = z.infer<typeof EnvironmentWebviewMessage>;
