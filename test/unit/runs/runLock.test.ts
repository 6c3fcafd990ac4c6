// trainer.lock is workspace content: only a process proven to be the trainer that wrote it counts as alive
// or may be signalled, the lock is taken exclusively, and only its owner (or a proven-dead leftover) goes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import { parseRunLock, procStatStartTime } from '../../../src/core/runLock';
import { acquireRunLock, isRunAlive, lockOwnerState, processStartStamp, readRunLock, removeRunLock, RunLockBusy, trainerToSignal } from '../../../src/core/node/runLock';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-lock-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const folder = () => {
  const d = path.join(tmp, `run-${n++}`);
  fs.mkdirSync(d);
  return d;
};
const token = 'b'.repeat(32);
const writeLock = (dir: string, lock: unknown) => fs.writeFileSync(path.join(dir, 'trainer.lock'), JSON.stringify(lock));

test('pid -1, 0, 1, non-integers and strings are never a lock: not alive, never signalled', () => {
  for (const pid of [-1, 0, 1, 1.5, '123', 2 ** 40, null]) {
    const dir = folder();
    writeLock(dir, { pid, token, processStart: processStartStamp(process.pid), startedAt: 'x' });
    assert.equal(readRunLock(dir), undefined, `pid ${String(pid)}`);
    assert.equal(isRunAlive(dir), false, `pid ${String(pid)} reads as dead`);
    const s = trainerToSignal(dir);
    assert.ok(!s.ok && /not a trainer lock/.test(s.reason), `pid ${String(pid)} is not signalled`);
  }
  // The old lock shape (pid only) proves nothing either.
  const old = folder();
  writeLock(old, { pid: process.pid, startedAt: 'x' });
  assert.equal(isRunAlive(old), false);
  assert.equal(parseRunLock('{"pid":4242,"token":"short","startedAt":"x"}'), undefined);
});

test('a live pid whose start stamp differs (the pid was reused) is not alive and not signalled; the right stamp is proven', () => {
  const mine = processStartStamp(process.pid);
  assert.ok(mine, 'this OS reports process start stamps');
  const reused = folder();
  writeLock(reused, { pid: process.pid, token, processStart: `${mine}9`, startedAt: 'x' });
  assert.equal(isRunAlive(reused), false);
  const s = trainerToSignal(reused);
  assert.ok(!s.ok && /not this run's trainer/.test(s.reason));
  // A lock without any stamp on an OS that has them was not written by a trainer.
  const unstamped = folder();
  writeLock(unstamped, { pid: process.pid, token, startedAt: 'x' });
  assert.equal(isRunAlive(unstamped), false);

  const proven = folder();
  writeLock(proven, { pid: process.pid, token, processStart: mine, startedAt: 'x' });
  assert.equal(isRunAlive(proven), true);
  assert.deepEqual(trainerToSignal(proven), { ok: true, pid: process.pid });
});

test('a child process is proven while it runs and gone once it exits, even though its pid number stays in the lock', async () => {
  const child = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const pid = child.pid!;
  const stamp = processStartStamp(pid);
  assert.ok(stamp);
  const dir = folder();
  writeLock(dir, { pid, token, processStart: stamp, startedAt: 'x' });
  assert.equal(lockOwnerState(readRunLock(dir)!), 'proven');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal(lockOwnerState(readRunLock(dir)!), 'gone');
  assert.ok(!trainerToSignal(dir).ok);
});

test('/proc/PID/stat start time is read past a command name holding spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  assert.equal(procStatStartTime(`123 (a) b (c) ${fields.join(' ')}`), '22');
  assert.equal(procStatStartTime('garbage'), undefined);
});

test('the lock is exclusive: a second owner is refused naming the folder and the pid; only the owner removes it', () => {
  const dir = folder();
  const first = acquireRunLock(dir);
  assert.equal(first.pid, process.pid);
  assert.equal(isRunAlive(dir), true);
  assert.throws(() => acquireRunLock(dir), (e: unknown) => e instanceof RunLockBusy && e.message.includes(dir) && e.message.includes(`pid ${process.pid}`));
  assert.equal(removeRunLock(dir, 'c'.repeat(32)), false, 'a foreign token removes nothing');
  assert.equal(readRunLock(dir)?.token, first.token);
  assert.equal(removeRunLock(dir, first.token), true);
  assert.ok(!fs.existsSync(path.join(dir, 'trainer.lock')));
  assert.deepEqual(fs.readdirSync(dir), [], 'no temporary left behind');
});

test('a stale lock (dead owner, garbage, a link) is replaced; a live one is not', () => {
  const dead = cp.spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  for (const stale of [
    (d: string) => writeLock(d, { pid: Number(dead.stdout), token, processStart: '1', startedAt: 'x' }),
    (d: string) => fs.writeFileSync(path.join(d, 'trainer.lock'), 'not json'),
    (d: string) => fs.symlinkSync(path.join(tmp, 'elsewhere'), path.join(d, 'trainer.lock')),
  ]) {
    const dir = folder();
    stale(dir);
    const lock = acquireRunLock(dir);
    assert.equal(readRunLock(dir)?.token, lock.token);
    assert.ok(!fs.lstatSync(path.join(dir, 'trainer.lock')).isSymbolicLink());
  }
  assert.ok(!fs.existsSync(path.join(tmp, 'elsewhere')), 'nothing written through the link');
});
