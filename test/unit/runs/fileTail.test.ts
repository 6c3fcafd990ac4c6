import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetricsTail } from '../../../src/core/runs/metricsTail';
import { fileTailSource, lastLines, TextFileTail } from '../../../src/host/runs/fileTailSource';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cft-tail-'));
const line = (step: number, loss: number) => `${JSON.stringify({ step, epoch: 0, loss })}\n`;

test('on a real file: appends are followed, and a write-temp-then-rename replacement is noticed by its inode', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'metrics.jsonl');
    const tail = new MetricsTail(fileTailSource(file));
    assert.deepEqual((await tail.poll()).records, [], 'a missing file is simply empty');
    fs.writeFileSync(file, line(1, 2) + line(2, 1.5));
    assert.deepEqual((await tail.poll()).records.map((r) => r.step), [1, 2]);
    fs.appendFileSync(file, line(3, 1.2));
    assert.deepEqual((await tail.poll()).records.map((r) => r.step), [3]);
    // A resume rewrites metrics.jsonl atomically, keeping lines up to the checkpoint: same size, new inode.
    const tmpFile = path.join(dir, '.metrics.tmp');
    fs.writeFileSync(tmpFile, line(1, 9) + line(2, 9) + line(3, 9));
    fs.renameSync(tmpFile, file);
    const r = await tail.poll();
    assert.equal(r.reset, true);
    assert.deepEqual(r.records.map((x) => x.loss), [9, 9, 9]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('trainer.log tail returns only what was appended; lastLines gives the end of the log', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'trainer.log');
    const tail = new TextFileTail(file);
    assert.equal(await tail.read(), '');
    fs.writeFileSync(file, 'one\ntwo\n');
    assert.equal(await tail.read(), 'one\ntwo\n');
    fs.appendFileSync(file, 'three\n');
    assert.equal(await tail.read(), 'three\n');
    assert.equal(await tail.read(), '');
    assert.deepEqual(await lastLines(file, 2), ['two', 'three']);
    assert.deepEqual(await lastLines(path.join(dir, 'missing.log'), 2), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
