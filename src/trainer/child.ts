import { parseTrainerRequest, type TrainerEvent, type TrainerRequest } from '../core/protocol/trainer';
import { environmentReport } from './backend';
import { engineHandlers } from './engine/requestHandlers';
import { activeTrainingRuns } from './train/activeRuns';

export type Emit = (event: TrainerEvent) => void;
type Handler<T extends TrainerRequest['type']> = (req: Extract<TrainerRequest, { type: T }>, emit: Emit) => Promise<void>;
type Handlers = { [T in TrainerRequest['type']]?: Handler<T> };

/** Request handlers by type; training, scoring and generation register theirs in their own modules. */
const handlers: Handlers = {
  ...engineHandlers,
  environment: async (req, emit) => emit({ type: 'environment', id: req.id, report: await environmentReport() }),
  shutdown: async () => {
    process.disconnect?.();
  },
};

export function registerHandler<T extends TrainerRequest['type']>(type: T, handler: Handler<T>): void {
  (handlers as Record<string, unknown>)[type] = handler;
}

function send(event: TrainerEvent): void {
  if (process.send && process.connected) process.send(event);
}

/** Child-process mode: requests arrive over Node IPC; every inbound message is validated first. */
export function runChild(): void {
  process.on('message', (raw: unknown) => {
    const parsed = parseTrainerRequest(raw);
    if (!parsed.ok) {
      send({ type: 'failed', error: 'Rejected malformed request', detail: parsed.error });
      return;
    }
    const req = parsed.value;
    const handler = handlers[req.type] as Handler<typeof req.type> | undefined;
    if (!handler) {
      send({ type: 'failed', id: req.id, error: `Request type "${req.type}" is not supported by this trainer` });
      return;
    }
    handler(req as never, send).catch((e: unknown) =>
      send({ type: 'failed', id: req.id, error: e instanceof Error ? e.message : String(e) }),
    );
  });
  // A window reload disconnects the host; a run in progress keeps training and writing its run folder.
  process.on('disconnect', () => activeTrainingRuns() === 0 && process.exit(0));
  send({ type: 'ready', pid: process.pid });
}
