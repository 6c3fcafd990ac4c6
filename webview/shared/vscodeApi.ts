// Browser side of host ↔ webview messaging: one acquireVsCodeApi() per page, inbound messages validated
// with the panel's zod union before anyone sees them.
import type { z } from 'zod';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** Listens for host messages; anything failing the schema is dropped and logged, never acted upon. */
export function onHostMessage<S extends z.ZodType>(schema: S, handler: (msg: z.infer<S>) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const parsed = schema.safeParse(event.data);
    if (parsed.success) handler(parsed.data);
    else console.warn('clinical-ft: rejected host message', parsed.error.issues[0]?.message);
  });
}

export function postToHost<M>(message: M): void {
  vscodeApi().postMessage(message);
}
