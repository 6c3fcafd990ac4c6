import { MetricsRecord } from '../metrics';

/** What the tailer needs from a file; the host implements it with node:fs, tests with a byte array. */
export interface TailSource {
  /** Current size and an identity that changes when the file is replaced (e.g. the inode). */
  stat(): Promise<{ size: number; identity: string } | undefined>;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface TailResult {
  /** True when the file shrank or was replaced: every record seen before is void. */
  reset: boolean;
  records: MetricsRecord[];
  /** Lines that were complete but not a metrics record, with their 1-based line number. */
  rejected: { line: number; reason: string }[];
  /** The read budget ran out before the end of the file: poll again for the rest. */
  behind?: boolean;
}

const NEWLINE = 0x0a;
/** Bounded reads keep memory flat however large metrics.jsonl grows. */
export const TAIL_CHUNK_BYTES = 1 << 20;
/**
 * A metrics line is ~200 bytes; a longer one is not the trainer's. Bytes of a line beyond this are skipped
 * as they arrive (never gathered), so a newline-free file costs this much memory, not its size.
 */
export const MAX_METRICS_LINE_BYTES = 64 * 1024;

/**
 * Incremental reader of metrics.jsonl. Only complete lines are parsed: a torn last line (the trainer was
 * killed mid-write, or we read while it appends) stays pending until its newline arrives. Bytes are kept
 * undecoded until a line is complete so a multi-byte character split across reads is never mangled.
 */
export class MetricsTail {
  private offset = 0;
  private identity: string | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  /** Inside a line already longer than MAX_METRICS_LINE_BYTES: its bytes are dropped up to its newline. */
  private skipping = false;
  private lineNo = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly source: TailSource) {}

  /** Bytes held for the incomplete last line (at most MAX_METRICS_LINE_BYTES plus one read). */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Bytes consumed so far (complete lines plus the pending torn tail). */
  get position(): number {
    return this.offset;
  }

  async poll(maxBytes = Number.POSITIVE_INFINITY): Promise<TailResult> {
    const result: TailResult = { reset: false, records: [], rejected: [] };
    const st = await this.source.stat();
    if (!st) {
      if (this.offset > 0) this.restart(result, undefined);
      return result;
    }
    if (st.size < this.offset || (this.identity !== undefined && st.identity !== this.identity)) this.restart(result, st.identity);
    this.identity = st.identity;
    let budget = maxBytes;
    while (this.offset < st.size && budget > 0) {
      const want = Math.min(TAIL_CHUNK_BYTES, st.size - this.offset, budget);
      const chunk = await this.source.read(this.offset, want);
      if (chunk.length === 0) break;
      this.offset += chunk.length;
      budget -= chunk.length;
      this.consume(chunk, result);
    }
    if (this.offset < st.size) result.behind = true;
    return result;
  }

  /** At the end of a run a final line without newline is still worth a try; a torn one is dropped. */
  flushPending(): TailResult {
    const result: TailResult = { reset: false, records: [], rejected: [] };
    if (this.skipping) {
      this.skipping = false;
      this.lineNo++;
      result.rejected.push({ line: this.lineNo, reason: tooLong() });
    }
    if (this.pending.length > 0) {
      const text = this.decoder.decode(this.pending).trim();
      this.pending = new Uint8Array(0);
      if (text) {
        const parsed = parseMetricsLine(text);
        if (parsed.ok) {
          this.lineNo++;
          result.records.push(parsed.record);
        }
      }
    }
    return result;
  }

  private restart(result: TailResult, identity: string | undefined): void {
    result.reset = true;
    result.records.length = 0;
    result.rejected.length = 0;
    this.offset = 0;
    this.lineNo = 0;
    this.pending = new Uint8Array(0);
    this.skipping = false;
    this.identity = identity;
  }

  private consume(chunk: Uint8Array, result: TailResult): void {
    let start = 0;
    let buf = chunk;
    if (this.skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) return;
      this.skipping = false;
      this.lineNo++;
      result.rejected.push({ line: this.lineNo, reason: tooLong() });
      start = nl + 1;
    } else if (this.pending.length > 0) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
      this.pending = new Uint8Array(0);
    }
    for (let i = buf.indexOf(NEWLINE, start); i !== -1; i = buf.indexOf(NEWLINE, start)) {
      this.lineNo++;
      if (i - start > MAX_METRICS_LINE_BYTES) {
        result.rejected.push({ line: this.lineNo, reason: tooLong() });
        start = i + 1;
        continue;
      }
      const text = this.decoder.decode(buf.subarray(start, i)).trim();
      start = i + 1;
      if (!text) continue;
      const parsed = parseMetricsLine(text);
      if (parsed.ok) result.records.push(parsed.record);
      else result.rejected.push({ line: this.lineNo, reason: parsed.reason });
    }
    if (start < buf.length) {
      if (buf.length - start > MAX_METRICS_LINE_BYTES) this.skipping = true;
      else this.pending = buf.slice(start);
    }
  }
}

const tooLong = () => `longer than ${MAX_METRICS_LINE_BYTES / 1024} KiB: not a metrics record (skipped)`;

export function parseMetricsLine(text: string): { ok: true; record: MetricsRecord } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const r = MetricsRecord.safeParse(raw);
  if (r.success) return { ok: true, record: r.data };
  const issue = r.error.issues[0];
  return { ok: false, reason: `field "${issue?.path.join('.') || '(record)'}": ${issue?.message ?? 'invalid'}` };
}
