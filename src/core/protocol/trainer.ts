import { z } from 'zod';
import { EnvironmentReport } from './environment';
import { MetricsRecord } from '../metrics';
import { RunConfig } from '../runConfig';
import { RunStatus } from '../runFolder';
import { ChatMessage } from '../datasets/records';

/**
 * host ↔ trainer messages (Node IPC of a forked dist/trainer.js, or JSON lines on stdio).
 * Defined once here; both sides safeParse what they receive and reject anything unknown.
 */

const id = z.string().min(1).max(200);

export const TrainerRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('environment'), id }),
  z.strictObject({ type: z.literal('train'), id, config: RunConfig, outDir: z.string().min(1), resume: z.boolean().default(false) }),
  z.strictObject({ type: z.literal('cancel'), id }),
  z.strictObject({
    type: z.literal('score'),
    id,
    model: z.string().min(1),
    adapter: z.string().optional(),
    text: z.string().optional(),
    ids: z.array(z.number().int().min(0)).optional(),
  }),
  z.strictObject({
    type: z.literal('generate'),
    id,
    model: z.string().min(1),
    adapter: z.string().optional(),
    prompt: z.string(),
    /**
     * A chat prompt: rendered with the model's chat template plus the generation prompt. `prompt` is then the
     * flattened text, used only when the model has no chat template.
     */
    messages: z.array(ChatMessage).min(1).optional(),
    maxNewTokens: z.number().int().positive().max(8192).default(128),
    temperature: z.number().min(0).default(0),
    topP: z.number().gt(0).max(1).default(1),
    seed: z.number().int().min(0).default(0),
  }),
  z.strictObject({ type: z.literal('shutdown'), id }),
]);
export type TrainerRequest = z.infer<typeof TrainerRequest>;
export type TrainerRequestInput = z.input<typeof TrainerRequest>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);

export const TrainerEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), pid: z.number().int() }),
  z.strictObject({ type: z.literal('environment'), id, report: EnvironmentReport }),
  z.strictObject({
    type: z.literal('started'),
    id,
    runDir: z.string(),
    backend: z.string(),
    totalSteps: z.number().int().min(0),
  }),
  z.strictObject({ type: z.literal('metrics'), id, record: MetricsRecord }),
  z.strictObject({ type: z.literal('log'), id: id.optional(), level: LogLevel, message: z.string() }),
  z.strictObject({ type: z.literal('checkpoint'), id, step: z.number().int().min(0), path: z.string() }),
  z.strictObject({ type: z.literal('token'), id, tokenId: z.number().int(), text: z.string() }),
  z.strictObject({
    type: z.literal('scored'),
    id,
    tokens: z.array(z.number().int()),
    logprobs: z.array(z.number().nullable()),
  }),
  z.strictObject({ type: z.literal('generated'), id, text: z.string(), tokens: z.array(z.number().int()) }),
  z.strictObject({ type: z.literal('completed'), id, status: RunStatus, runDir: z.string().optional() }),
  z.strictObject({ type: z.literal('failed'), id: id.optional(), error: z.string(), detail: z.string().optional() }),
]);
export type TrainerEvent = z.infer<typeof TrainerEvent>;

/** Parse an inbound message; unknown or malformed messages are rejected with a readable reason. */
export function parseTrainerRequest(raw: unknown): { ok: true; value: TrainerRequest } | { ok: false; error: string } {
  const r = TrainerRequest.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: z.prettifyError(r.error) };
}

export function parseTrainerEvent(raw: unknown): { ok: true; value: TrainerEvent } | { ok: false; error: string } {
  const r = TrainerEvent.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: z.prettifyError(r.error) };
}
