// Durable writes: the folder is fsynced after every rename, temporaries cannot be redirected by a planted
// link, and appends never follow a link or block on a FIFO.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import { appendLineDurable, writeFileAtomic } from '../../../src/core/node/atomicWrite';
import { saveCheckpoint } from '../../../src/trainer/train/checkpoint';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-atomic-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Records which paths were opened, renamed and fsynced, in order (the modules call fs through its exports). */
async function traceFs(body: () => unknown): Promise<string[]> {
  const real = require('node:fs') as typeof fs;
  const saved = { openSync: real.openSync, fsyncSync: real.fsyncSync, renameSync: real.renameSync };
  const fdPath = new Map<number, string>();
  const events: string[] = [];
  real.openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
    const fd = (saved.openSync as (...a: unknown[]) => number)(p, ...rest);
    fdPath.set(fd, String(p));
    return fd;
  }) as typeof fs.openSync;
  real.fsyncSync = ((fd: number) => {
    events.push(`fsync ${fdPath.get(fd)}`);
    saved.fsyncSync(fd);
  }) as typeof fs.fsyncSync;
  real.renameSync = ((a: fs.PathLike, b: fs.PathLike) => {
    events.push(`rename ${String(b)}`);
    saved.renameSync(a, b);
  }) as typeof fs.renameSync;
  try {
    await body();
    return events;
  } finally {
    Object.assign(real, saved);
  }
}

test('writeFileAtomic fsyncs the folder after the rename, so the new name survives a power loss', async () => {
  const dir = path.join(tmp, 'plain');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'run.json');
  const events = await traceFs(() => writeFileAtomic(file, '{"a":1}\n'));
  const renamed = events.indexOf(`rename ${file}`);
  assert.ok(renamed >= 0, events.join('\n'));
  assert.ok(events.slice(renamed + 1).includes(`fsync ${dir}`), `folder fsynced after the rename:\n${events.join('\n')}`);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}\n');
  assert.deepEqual(fs.readdirSync(dir), ['run.json'], 'no temporary left');
});

test('a link planted under the temporary name a writer would have used is not written through', () => {
  const dir = path.join(tmp, 'planted');
  fs.mkdirSync(dir);
  const victim = path.join(tmp, 'victim.txt');
  fs.writeFileSync(victim, 'precious');
  // The names earlier versions used: pid-based, guessable.
  fs.symlinkSync(victim, path.join(dir, `.run.json.tmp-${process.pid}`));
  fs.symlinkSync(victim, path.join(dir, `.run.json.${process.pid}.tmp`));
  writeFileAtomic(path.join(dir, 'run.json'), 'new');
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  assert.equal(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'), 'new');
});

test('appendLineDurable refuses a link and a FIFO instead of writing through or hanging', () => {
  const victim = path.join(tmp, 'victim.log');
  fs.writeFileSync(victim, 'precious\n');
  const link = path.join(tmp, 'trainer.log');
  fs.symlinkSync(victim, link);
  assert.throws(() => appendLineDurable(link, 'x'), /ELOOP|symbolic link|not a regular file/);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
  const fifo = path.join(tmp, 'metrics.jsonl');
  if (cp.spawnSync('mkfifo', [fifo]).status === 0) assert.throws(() => appendLineDurable(fifo, 'x'), /ENXIO|not a regular file/);
});

test('saveCheckpoint fsyncs the new checkpoint and the checkpoints folder after renaming it into place', async () => {
  const run = path.join(tmp, 'ckpt-run');
  fs.mkdirSync(run);
  const state = { step: 3, position: { epoch: 0, batch: 3 }, rngState: 1, adapter: new Map([['a', new Float32Array([1, 2])]]), optimizer: { step: 3, m: [new Float32Array(2)], v: [new Float32Array(2)] }, numTokens: 10 };
  const events = await traceFs(() => saveCheckpoint(run, state, async (d) => void fs.mkdirSync(d, { recursive: true })));
  const root = path.join(run, 'checkpoints');
  const renamed = events.indexOf(`rename ${path.join(root, 'step-3')}`);
  assert.ok(renamed >= 0, events.join('\n'));
  assert.ok(events.slice(0, renamed).some((e) => /^fsync .*\.tmp-step-3-/.test(e) && !e.endsWith('.bin') && !e.endsWith('.json')), `the temporary folder fsynced before the rename:\n${events.join('\n')}`);
  assert.ok(events.slice(renamed + 1).includes(`fsync ${root}`), `checkpoints/ fsynced after the rename:\n${events.join('\n')}`);
});
