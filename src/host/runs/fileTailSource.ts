import * as fs from 'node:fs/promises';
import { MetricsTail, type TailSource } from '../../core/runs/metricsTail';
import type { MetricsRecord } from '../../core/metrics';

/** TailSource over a real file; the inode tells a replaced (rotated, rewritten) file from a grown one. */
export function fileTailSource(file: string): TailSource {
  return {
    async stat() {
      try {
        const st = await fs.stat(file);
        return { size: st.size, identity: `${st.dev}:${st.ino}` };
      } catch {
        return undefined;
      }
    },
    async read(offset, length) {
      const fh = await fs.open(file, 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buf, 0, length, offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
  };
}

/** Plain-text tail of trainer.log for the run's output channel: returns what was appended since last time. */
export class TextFileTail {
  private offset = 0;
  private readonly decoder = new TextDecoder('utf-8');
  constructor(private readonly file: string) {}

  async read(maxBytes = 1 << 20): Promise<string> {
    let size: number;
    try {
      size = (await fs.stat(this.file)).size;
    } catch {
      return '';
    }
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return '';
    // A log far bigger than the window is shown from its last megabyte.
    if (size - this.offset > maxBytes) this.offset = size - maxBytes;
    const fh = await fs.open(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      return this.decoder.decode(buf.subarray(0, bytesRead), { stream: true });
    } finally {
      await fh.close();
    }
  }
}

/** The last `n` lines of a text file (reads at most its last 64 KiB). */
export async function lastLines(file: string, n: number): Promise<string[]> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf.toString('utf8').split(/\r?\n/).filter((l) => l.trim()).slice(-n);
    } finally {
      await fh.close();
    }
  } catch {
    return [];
  }
}

/** Every record of a metrics.jsonl, read a chunk at a time (a CSV export: the store keeps only a window). */
export async function allMetricsRecords(file: string): Promise<MetricsRecord[]> {
  const tail = new MetricsTail(fileTailSource(file));
  const out: MetricsRecord[] = [];
  for (;;) {
    const r = await tail.poll(4 << 20);
    out.push(...r.records);
    if (!r.behind) break;
  }
  out.push(...tail.flushPending().records);
  return out;
}
