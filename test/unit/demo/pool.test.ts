import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPool } from '../../../src/trainer/demo/pool';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('runPool keeps at most `limit` items in flight and runs every item once, in order of start', async () => {
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    started.push(n);
    inFlight++;
    peak = Math.max(peak, inFlight);
    await tick(n % 3 === 0 ? 15 : 3);
    inFlight--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(started, [1, 2, 3, 4, 5, 6, 7]);
});

test('runPool with limit 1 is sequential; a limit above the item count is capped', async () => {
  const log: string[] = [];
  await runPool(['a', 'b'], 1, async (s) => {
    log.push(`start ${s}`);
    await tick(2);
    log.push(`end ${s}`);
  });
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
  let count = 0;
  await runPool([1], 8, async () => void count++);
  assert.equal(count, 1);
});

test('runPool: a failure starts no new items, waits for running ones, and is rethrown', async () => {
  const done: number[] = [];
  let slowFinished = false;
  await assert.rejects(
    runPool([1, 2, 3, 4], 2, async (n) => {
      if (n === 1) throw new Error('boom');
      await tick(10);
      if (n === 2) slowFinished = true;
      done.push(n);
    }),
    /boom/,
  );
  assert.equal(slowFinished, true);
  assert.deepEqual(done, [2]);
});
