// Metrics tail: how fast the Runs view catches up on a long run's metrics.jsonl (first read of a run folder
// after a window reload), and what it costs per live poll. Numbers only.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetricsTail } from '../../src/core/runs/metricsTail';
import { addToSummary, emptySummary } from '../../src/core/runs/runState';
import { fileTailSource } from '../../src/host/runs/fileTailSource';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-bench-tail-'));
  const file = path.join(dir, 'metrics.jsonl');
  const steps = 500_000;
  const fd = fs.openSync(file, 'w');
  let buf = '';
  for (let s = 1; s <= steps; s++) {
    buf += `${JSON.stringify({ step: s, epoch: s / 1000, loss: 2 / Math.sqrt(s), learning_rate: 2e-4, grad_norm: 1.1, tokens_per_second: 812.5, num_tokens: s * 512 })}\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  const mb = fs.statSync(file).size / 1e6;
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const tail = new MetricsTail(fileTailSource(file));
  const t0 = performance.now();
  const r = await tail.poll();
  const summary = addToSummary(emptySummary(), r.records);
  const ms = performance.now() - t0;
  console.log(`catch-up: ${r.records.length} lines, ${mb.toFixed(1)} MB in ${ms.toFixed(0)} ms = ${(mb / (ms / 1000)).toFixed(1)} MB/s; last step ${summary.lastStep}`);
  console.log(`RSS growth holding all records: ${((process.memoryUsage().rss - rss0) / 1e6).toFixed(0)} MB`);
  const polls = 200;
  const t1 = performance.now();
  for (let i = 0; i < polls; i++) {
    fs.appendFileSync(file, `${JSON.stringify({ step: steps + i + 1, epoch: 1, loss: 0.1 })}\n`);
    await tail.poll();
  }
  console.log(`live poll (append one line + read it): ${((performance.now() - t1) / polls).toFixed(3)} ms per poll`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
