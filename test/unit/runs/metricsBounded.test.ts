// The host follows metrics.jsonl with bounded memory: a 50 MB newline-free file holds one capped line's worth of
// bytes (not 50 MB gathered by quadratic concatenation), and a long run keeps a bounded, evenly spread window
// of records while the summary still counts every line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_METRICS_LINE_BYTES, MetricsTail, TAIL_CHUNK_BYTES, type TailSource } from '../../../src/core/runs/metricsTail';
import { MetricsWindow, WINDOW_MAX_EVAL, WINDOW_MAX_TRAIN } from '../../../src/core/runs/metricsWindow';
import { RunMetrics } from '../../../src/core/runs/runMetrics';
import { fileTailSource } from '../../../src/host/runs/fileTailSource';

const line = (step: number, loss: number) => `${JSON.stringify({ step, epoch: 0, loss })}\n`;

/** A file of `size` bytes of "x" with `tail` after it, generated on read (the test itself stays small). */
function virtualFile(size: number, tail: string): TailSource & { copied: number } {
  const tailBytes = new TextEncoder().encode(tail);
  const src = {
    copied: 0,
    async stat() {
      return { size: size + tailBytes.length, identity: 'v' };
    },
    async read(offset: number, length: number) {
      const out = new Uint8Array(Math.min(length, size + tailBytes.length - offset));
      for (let i = 0; i < out.length; i++) out[i] = offset + i < size ? 0x78 : tailBytes[offset + i - size];
      src.copied += out.length;
      return out;
    },
  };
  return src;
}

test('a 50 MB newline-free metrics file: pending bytes stay under the line cap, the line is rejected, the next one is read', async () => {
  const src = virtualFile(50 * 1024 * 1024, `\n${line(7, 0.5)}`);
  const tail = new MetricsTail(src);
  let maxPending = 0;
  const rejected: { line: number; reason: string }[] = [];
  const records = [];
  for (;;) {
    const r = await tail.poll(TAIL_CHUNK_BYTES);
    maxPending = Math.max(maxPending, tail.pendingBytes);
    rejected.push(...r.rejected);
    records.push(...r.records);
    if (!r.behind) break;
  }
  assert.ok(maxPending <= MAX_METRICS_LINE_BYTES, `pending grew to ${maxPending} bytes`);
  assert.deepEqual(records.map((r) => r.step), [7]);
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0].line, 1);
  assert.match(rejected[0].reason, /longer than 64 KiB/);
});

test('a newline-free file on disk through RunMetrics: nothing kept, nothing gathered, read in budgeted steps', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-bounded-'));
  try {
    const file = path.join(dir, 'metrics.jsonl');
    const fd = fs.openSync(file, 'w');
    const block = Buffer.alloc(1 << 20, 0x7b);
    for (let i = 0; i < 50; i++) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const m = new RunMetrics(fileTailSource(file));
    let yields = 0;
    const r = await m.read({ final: true, yieldBetween: async () => void yields++ });
    assert.equal(r.count, 0);
    assert.equal(m.window.size, 0);
    assert.ok(m.pendingBytes <= MAX_METRICS_LINE_BYTES);
    assert.ok(yields >= 10, `the 50 MB were read in budgeted steps with yields between (${yields})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a long metrics file: the window stays bounded and spread over the whole run; the summary counts every line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-bounded-'));
  try {
    const file = path.join(dir, 'metrics.jsonl');
    const steps = 200_000;
    const chunks: string[] = [];
    for (let s = 1; s <= steps; s++) {
      chunks.push(line(s, 10 / s));
      if (s % 1000 === 0) chunks.push(`${JSON.stringify({ step: s, epoch: 0, eval_loss: 5 / s })}\n`);
    }
    fs.writeFileSync(file, chunks.join(''));
    const m = new RunMetrics(fileTailSource(file));
    const r = await m.read({ final: true });
    assert.equal(r.count, steps + steps / 1000);
    assert.equal(m.summary.count, steps + steps / 1000);
    assert.equal(m.summary.lastStep, steps);
    assert.equal(m.summary.minLoss, 10 / steps);
    const kept = m.window.records();
    assert.ok(kept.length <= WINDOW_MAX_TRAIN + WINDOW_MAX_EVAL + 1, `${kept.length} records kept`);
    const train = kept.filter((x) => x.loss !== undefined);
    assert.ok(train.length > WINDOW_MAX_TRAIN / 2, 'thinning keeps at least half the budget');
    assert.equal(train[0].step, 1);
    assert.equal(train[train.length - 1].step, steps, 'the latest record is always there');
    assert.equal(kept.filter((x) => x.eval_loss !== undefined).length, steps / 1000, 'every eval line of this run fits');
    // Evenly spread: no gap between kept train steps is wider than the stride.
    const gaps = train.slice(1).map((x, i) => x.step - train[i].step);
    assert.ok(Math.max(...gaps.slice(0, -1)) === Math.min(...gaps.slice(0, -1)), 'one stride across the run');

    // Appending after a thinning tells a live view to take a fresh snapshot instead of deltas.
    fs.appendFileSync(file, Array.from({ length: 50_000 }, (_, i) => line(steps + 1 + i, 0.1)).join(''));
    const more = await m.read({ observedAt: Date.now() });
    assert.equal(more.count, 50_000);
    assert.ok(m.window.size <= WINDOW_MAX_TRAIN + WINDOW_MAX_EVAL + 1);
    if (more.thinned) assert.deepEqual(more.appended, []);
    else assert.ok(more.appended.length < 50_000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the window thins eval records too, and clear() starts over', () => {
  const w = new MetricsWindow(8, 4);
  for (let s = 1; s <= 100; s++) w.push([{ step: s, epoch: 0, loss: 1 }, { step: s, epoch: 0, eval_loss: 1 }]);
  const kept = w.records();
  assert.ok(kept.filter((r) => r.eval_loss !== undefined).length <= 4);
  assert.ok(kept.filter((r) => r.loss !== undefined).length <= 9);
  assert.equal(kept[kept.length - 1].step, 100);
  const before = w.thinnings;
  w.clear();
  assert.equal(w.size, 0);
  assert.ok(w.thinnings > before);
});
