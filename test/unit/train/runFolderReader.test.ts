// Reading run folders written by trainers that may have died: torn metrics lines, stale "running".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import { parseMetricsText, readRunRecord, isRunAlive } from '../../../src/core/node/runFolderReader';
import { RunConfig } from '../../../src/core/runConfig';
import { processStartStamp } from '../../../src/core/node/runLock';

test('metrics: a torn last line is ignored, a bad middle line reported, a missing final newline tolerated', () => {
  const r = parseMetricsText('{"step":1,"epoch":0,"loss":2}\nnot json\n{"step":2,"epoch":0.1,"loss":1.5}\n{"step":3,"ep');
  assert.deepEqual(r.records.map((x) => x.step), [1, 2]);
  assert.deepEqual(r.badLines, [2]);
  assert.equal(r.tornTail, true);
  const whole = parseMetricsText('{"step":1,"epoch":0,"loss":2}\n{"step":2,"epoch":0,"loss":1}');
  assert.deepEqual(whole.records.map((x) => x.step), [1, 2]);
  assert.equal(whole.tornTail, false);
});

function writeRun(dir: string, status: string, pid: number, lock: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  const config = RunConfig.parse({ method: 'sft', model: 'm', data: 'd' });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: 'r', config, status, pid, lastCheckpoint: 4 }));
  // A dead pid has no stamp any more: record the one it would have had, any will do.
  if (lock) fs.writeFileSync(path.join(dir, 'trainer.lock'), JSON.stringify({ pid, token: 'a'.repeat(32), processStart: processStartStamp(pid) ?? '12345', startedAt: 'x' }));
}

test('a "running" run whose process is gone is fixed up as failed on disk; a live one is left alone', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-reader-'));
  const dead = cp.spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  const deadDir = path.join(tmp, 'dead');
  writeRun(deadDir, 'running', deadPid, true);
  assert.equal(isRunAlive(deadDir), false);
  const r = readRunRecord(deadDir);
  assert.ok(r.ok && r.fixedUp);
  assert.equal(r.record.status, 'failed');
  assert.match(r.record.error ?? '', /checkpoint step 4/);
  assert.equal(JSON.parse(fs.readFileSync(path.join(deadDir, 'run.json'), 'utf8')).status, 'failed');
  assert.ok(!fs.existsSync(path.join(deadDir, 'trainer.lock')));

  const liveDir = path.join(tmp, 'live');
  writeRun(liveDir, 'running', process.pid, true);
  const l = readRunRecord(liveDir);
  assert.ok(l.ok && !l.fixedUp && l.record.status === 'running');

  const bad = path.join(tmp, 'bad');
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, 'run.json'), '{"id":"x","status":"bogus"}');
  const b = readRunRecord(bad);
  assert.ok(!b.ok && /status/.test(b.error));
});
