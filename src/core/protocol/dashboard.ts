import { METHODS } from '../preferences/methods';
import { z } from 'zod';
import { MetricsRecord } from '../metrics';
import { RunStatus } from '../runFolder';

/** host ↔ run dashboard webview. The webview says `ready`; the host answers with a full snapshot, then deltas. */

const runId = z.string().min(1).max(200);

export const DashboardRun = z.strictObject({
  id: runId,
  label: z.string(),
  method: z.enum(METHODS),
  status: RunStatus,
  step: z.number().int().min(0),
  totalSteps: z.number().int().min(0).optional(),
  records: z.array(MetricsRecord),
});
export type DashboardRun = z.infer<typeof DashboardRun>;

export const DashboardHostMessage = z.discriminatedUnion('type', [
  /** Complete state; replaces everything the webview holds (latest wins, never a delta). */
  z.strictObject({ type: z.literal('snapshot'), runs: z.array(DashboardRun) }),
  /** New metrics lines of one run since the last message. */
  z.strictObject({ type: z.literal('append'), runId, records: z.array(MetricsRecord) }),
  z.strictObject({
    type: z.literal('status'),
    runId,
    status: RunStatus,
    step: z.number().int().min(0),
    totalSteps: z.number().int().min(0).optional(),
  }),
  z.strictObject({ type: z.literal('exported'), what: z.enum(['csv', 'png']), path: z.string() }),
]);
export type DashboardHostMessage = z.infer<typeof DashboardHostMessage>;

export const DashboardWebviewMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('addRun') }),
  z.strictObject({ type: z.literal('removeRun'), runId }),
  z.strictObject({ type: z.literal('exportCsv') }),
  /** A PNG of the charts, as a data: URL (the webview draws it from its canvases). */
  z.strictObject({ type: z.literal('exportPng'), dataUrl: z.string().startsWith('data:image/png;base64,').max(50_000_000) }),
]);
export type DashboardWebviewMessage = z.infer<typeof DashboardWebviewMessage>;
