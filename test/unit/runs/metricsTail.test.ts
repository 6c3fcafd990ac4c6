import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsTail, TAIL_CHUNK_BYTES, type TailSource } from '../../../src/core/runs/metricsTail';

/** An in-memory file that can grow, shrink or be replaced, and counts the bytes read. */
class MemFile implements TailSource {
  bytes = new Uint8Array(0);
  identity = 'inode-1';
  bytesRead = 0;
  maxRead = 0;
  append(text: string | Uint8Array): void {
    const add = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const next = new Uint8Array(this.bytes.length + add.length);
    next.set(this.bytes);
    next.set(add, this.bytes.length);
    this.bytes = next;
  }
  replace(text: string, identity: string): void {
    this.bytes = new TextEncoder().encode(text);
    this.identity = identity;
  }
  async stat() {
    return { size: this.bytes.length, identity: this.identity };
  }
  async read(offset: number, length: number) {
    this.bytesRead += length;
    this.maxRead = Math.max(this.maxRead, length);
    return this.bytes.slice(offset, offset + length);
  }
}

const line = (step: number, loss = 1 / (step + 1)) => `${JSON.stringify({ step, epoch: step / 10, loss })}\n`;

test('reads complete lines and keeps a torn last line pending until its newline arrives', async () => {
  const f = new MemFile();
  const tail = new MetricsTail(f);
  f.append(line(1) + line(2) + '{"step":3,"epoch":0.3,"lo');
  let r = await tail.poll();
  assert.deepEqual(r.records.map((x) => x.step), [1, 2]);
  assert.deepEqual(r.rejected, []);
  f.append('ss":0.25}\n');
  r = await tail.poll();
  assert.deepEqual(r.records.map((x) => x.step), [3]);
  assert.equal(r.records[0].loss, 0.25);
});

test('a multi-byte character split across two reads is decoded intact', async () => {
  const f = new MemFile();
  const tail = new MetricsTail(f);
  const full = new TextEncoder().encode(`{"step":1,"epoch":0,"time":"t—é"}\n`);
  const cut = full.indexOf(0x94); // inside the em dash (e2 80 94)
  f.append(full.slice(0, cut));
  assert.deepEqual((await tail.poll()).records, []);
  f.append(full.slice(cut));
  const r = await tail.poll();
  assert.equal(r.records[0].time, 't—é');
});

test('bad lines are reported with their line number and do not stop the tail', async () => {
  const f = new MemFile();
  const tail = new MetricsTail(f);
  f.append(line(1) + 'not json\n' + '{"epoch":1}\n\n' + line(2));
  const r = await tail.poll();
  assert.deepEqual(r.records.map((x) => x.step), [1, 2]);
  assert.deepEqual(r.rejected.map((x) => x.line), [2, 3]);
  assert.match(r.rejected[1].reason, /step/);
});

test('truncation (file shorter than what was read) resets and re-reads from the start', async () => {
  const f = new MemFile();
  const tail = new MetricsTail(f);
  f.append(line(1) + line(2) + line(3));
  await tail.poll();
  f.replace(line(1), 'inode-1');
  const r = await tail.poll();
  assert.equal(r.reset, true);
  assert.deepEqual(r.records.map((x) => x.step), [1]);
});

test('rotation (same size, new identity, e.g. a resume rewrote the file) resets', async () => {
  const f = new MemFile();
  const tail = new MetricsTail(f);
  f.append(line(1, 0.5));
  await tail.poll();
  f.replace(line(1, 0.7), 'inode-2');
  const r = await tail.poll();
  assert.equal(r.reset, true);
  assert.equal(r.records[0].loss, 0.7);
  // and continues normally afterwards
  f.append(line(2));
  const r2 = await tail.poll();
  assert.equal(r2.reset, false);
  assert.deepEqual(r2.records.map((x) => x.step), [2]);
});

test('a file that disappears resets; it may come back', async () => {
  const f = new MemFile();
  let gone = false;
  const src: TailSource = { stat: async () => (gone ? undefined : f.stat()), read: (o, l) => f.read(o, l) };
  const tail = new MetricsTail(src);
  f.append(line(1));
  await tail.poll();
  gone = true;
  assert.equal((await tail.poll()).reset, true);
  gone = false;
  assert.deepEqual((await tail.poll()).records.map((x) => x.step), [1]);
});

test('flushPending accepts a final complete record without newline, drops a torn one', async () => {
  const f = new MemFile();
  const tail = new MetricsTail(f);
  f.append(line(1) + JSON.stringify({ step: 2, epoch: 0.2, loss: 0.3 }));
  assert.equal((await tail.poll()).records.length, 1);
  assert.deepEqual(tail.flushPending().records.map((x) => x.step), [2]);
  const g = new MemFile();
  const tail2 = new MetricsTail(g);
  g.append(line(1) + '{"step":2,"ep');
  await tail2.poll();
  assert.deepEqual(tail2.flushPending().records, []);
});

test('a huge file is read in bounded chunks and can be consumed over several polls', async () => {
  const f = new MemFile();
  const tail = new MetricsTail(f);
  const n = 60_000; // ~3.5 MB
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(line(i));
  f.append(parts.join(''));
  assert.ok(f.bytes.length > 3 * TAIL_CHUNK_BYTES);
  const first = await tail.poll(TAIL_CHUNK_BYTES);
  assert.ok(first.records.length > 0 && first.records.length < n, 'a budget limits one poll');
  let total = first.records.length;
  let last = first.records.at(-1)!.step;
  for (let i = 0; i < 10 && total < n; i++) {
    const r = await tail.poll(TAIL_CHUNK_BYTES);
    assert.equal(r.records[0].step, last + 1, 'no line lost or repeated at chunk boundaries');
    total += r.records.length;
    last = r.records.at(-1)!.step;
  }
  assert.equal(total, n);
  assert.ok(f.maxRead <= TAIL_CHUNK_BYTES);
  assert.equal(f.bytesRead, f.bytes.length, 'every byte read exactly once');
});
