// Entry point of a PHI scan worker thread (bundled as dist/phiScanWorker.js): scans the batches of lines that
// validateFile posts and answers with the findings. A detector that throws fails its batch with a message, and
// the worker stays up; the main thread decides what to do.
import { parentPort } from 'node:worker_threads';
import { scanLines } from '../datasets/phiLineScan';
import { PhiScanRequest, type PhiScanReply } from '../protocol/phiScanWorker';

const port = parentPort;
if (!port) throw new Error('phiScanWorker runs as a worker thread (validateFile starts it)');

port.on('message', (raw: unknown) => {
  const req = PhiScanRequest.safeParse(raw);
  if (!req.success) {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
    port.postMessage({ type: 'failed', id, message: 'unexpected request' } satisfies PhiScanReply);
    return;
  }
  let reply: PhiScanReply;
  try {
    const scan = scanLines(req.data.texts);
    reply = { type: 'scanned', id: req.data.id, formats: scan.formats, found: scan.found };
  } catch (e) {
    reply = { type: 'failed', id: req.data.id, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, reply.type === 'scanned' ? [reply.formats.buffer] : []);
});
port.postMessage({ type: 'ready' } satisfies PhiScanReply);
