// The child process's `train` and `cancel` requests. A run keeps going when the host disconnects (a
// window reload): the run folder is the source of truth and the UI reattaches by reading it.
import { registerHandler, type Emit } from '../child';
import { initBackend } from '../backend';
import { runTraining, type RunEvent } from './runTraining';
import { loadEngineModel } from './engineLoader';
import { activeRuns } from './activeRuns';

function forward(id: string, emit: Emit, backend: string): (e: RunEvent) => void {
  return (e) => {
    if (e.type === 'started') emit({ type: 'started', id, runDir: e.runDir, backend, totalSteps: e.totalSteps });
    else if (e.type === 'metrics') emit({ type: 'metrics', id, record: e.record });
    else if (e.type === 'log') emit({ type: 'log', id, level: e.level, message: e.message });
    else emit({ type: 'checkpoint', id, step: e.step, path: e.path });
  };
}

// A send racing the host's disconnect fails asynchronously with EPIPE on `process`; the run must go on.
process.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_IPC_CHANNEL_CLOSED') throw e;
});

let signalsInstalled = false;
function installSignals(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  // SIGTERM = cancel: every run stops after its current step with a checkpoint, then the process exits.
  process.on('SIGTERM', () => {
    if (activeRuns.size === 0) process.exit(0);
    for (const run of activeRuns.values()) run.stop = true;
  });
}

registerHandler('train', async (req, emit) => {
  if (activeRuns.size > 0) {
    emit({ type: 'failed', id: req.id, error: 'A training run is already in progress in this trainer process' });
    return;
  }
  installSignals();
  // After a window reload the host's ends of stdout/stderr are gone; a stray library warning must not
  // kill the run with EPIPE.
  for (const stream of [process.stdout, process.stderr]) if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  const run = { stop: false };
  activeRuns.set(req.id, run);
  try {
    const backend = await initBackend(req.config.backend);
    const result = await runTraining({
      config: req.config,
      outDir: req.outDir,
      resume: req.resume,
      backend,
      loadModel: loadEngineModel,
      onEvent: forward(req.id, emit, backend),
      shouldStop: () => run.stop,
    });
    if (result.status === 'failed') emit({ type: 'failed', id: req.id, error: result.error ?? 'training failed' });
    else emit({ type: 'completed', id: req.id, status: result.status, runDir: result.runDir });
  } catch (e) {
    emit({ type: 'failed', id: req.id, error: e instanceof Error ? e.message : String(e) });
  } finally {
    activeRuns.delete(req.id);
    // Cancelled (protocol or SIGTERM) → exit 0; host gone → nothing left to serve. The delay lets the
    // last IPC message leave.
    if (activeRuns.size === 0 && (run.stop || !process.connected)) setTimeout(() => process.exit(0), 200);
  }
});

registerHandler('cancel', async (req, emit) => {
  // The id names the train request to cancel; an unknown id cancels whatever is running.
  const target = activeRuns.get(req.id);
  const runs = target ? [target] : [...activeRuns.values()];
  for (const r of runs) r.stop = true;
  emit({ type: 'log', id: req.id, level: 'info', message: runs.length ? 'Cancelling: the run stops after the current step with a checkpoint' : 'No training run to cancel' });
});
