// Messages between validateFile and its PHI scan worker threads (src/core/node/phiScanPool.ts and
// phiScanWorker.ts). Each side parses what it receives: a worker that sends anything else is treated as failed.
import { z } from 'zod';
import { PHI_CATEGORIES } from '../phi/detectors';

export const PhiScanRequest = z.strictObject({ type: z.literal('scan'), id: z.number().int(), texts: z.array(z.string()) });
export type PhiScanRequest = z.infer<typeof PhiScanRequest>;

const Finding = z.strictObject({ category: z.enum(PHI_CATEGORIES), start: z.number().int(), end: z.number().int(), text: z.string() });

export const PhiScanReply = z.discriminatedUnion('type', [
  /** The worker loaded its code and listens: a failure before this means it could not start. */
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({
    type: z.literal('scanned'),
    id: z.number().int(),
    formats: z.instanceof(Uint8Array),
    found: z.array(z.tuple([z.number().int(), z.string(), z.array(Finding)])),
  }),
  z.strictObject({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
]);
export type PhiScanReply = z.infer<typeof PhiScanReply>;
