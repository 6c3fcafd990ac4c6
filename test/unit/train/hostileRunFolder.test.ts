// A run folder is workspace content: a second trainer, links planted inside it, a forged log line, a
// half-written checkpoint, or a --max-length that leaves nothing to train must not hurt the run or the user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunConfig, type RunConfigInput } from '../../../src/core/runConfig';
import { runTraining, RefusedError } from '../../../src/trainer/train/runTraining';
import { readMetrics, readRunRecord } from '../../../src/core/node/runFolderReader';
import { mockRunFolder, MockModel, byteTokenizer, chatml } from './mockModel';

const { tmp, modelDir, writeJsonl } = mockRunFolder('cft-hostile-');

const sftRows = Array.from({ length: 8 }, (_, i) => ({ prompt: `Q${i % 4}: triage?`, completion: i % 2 ? ' urgent' : ' routine' }));

function config(over: Partial<RunConfigInput>): RunConfig {
  return RunConfig.parse({ method: 'sft', model: modelDir, data: writeJsonl('sft.jsonl', sftRows), batchSize: 4, lr: 0.05, scheduler: 'constant', ...over });
}

async function run(cfg: RunConfig, outDir: string, opts: { resume?: boolean; stopAtStep?: number } = {}) {
  let step = 0;
  return runTraining({
    config: cfg,
    outDir,
    resume: opts.resume ?? false,
    backend: 'cpu',
    loadModel: async () => ({ model: new MockModel(7), tokenizer: byteTokenizer, chatTemplate: chatml, dispose: () => undefined }),
    onEvent: (e) => {
      if (e.type === 'metrics' && typeof e.record.loss === 'number') step = e.record.step;
    },
    shouldStop: () => opts.stopAtStep !== undefined && step >= opts.stopAtStep,
  });
}

/** A run cancelled at step 2 with a checkpoint, ready for --resume. */
async function cancelledRun(name: string, cfg = config({ steps: 6, saveEvery: 2 })): Promise<{ dir: string; cfg: RunConfig }> {
  const dir = path.join(tmp, 'runs', name);
  const r = await run(cfg, dir, { stopAtStep: 2 });
  assert.equal(r.status, 'cancelled');
  return { dir, cfg };
}

test('two --resume of one folder: one trains, the other is refused naming the folder and the owning pid', async () => {
  const { dir, cfg } = await cancelledRun('twice');
  const outcomes = await Promise.allSettled([run(cfg, dir, { resume: true }), run(cfg, dir, { resume: true })]);
  const done = outcomes.filter((o) => o.status === 'fulfilled');
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.equal(done.length, 1, 'exactly one trainer ran');
  assert.equal(refused.length, 1, 'the other was refused');
  assert.ok(refused[0].reason instanceof RefusedError);
  assert.ok(String(refused[0].reason.message).includes(dir), refused[0].reason.message);
  assert.match(refused[0].reason.message, new RegExp(`pid ${process.pid}`));
  assert.equal((done[0] as PromiseFulfilledResult<{ status: string }>).value.status, 'completed');
  const steps = readMetrics(dir).records.filter((r) => typeof r.loss === 'number').map((r) => r.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6], 'metrics not interleaved');
  assert.ok(!fs.existsSync(path.join(dir, 'trainer.lock')), 'the winner released its own lock');
});

for (const entry of ['trainer.log', 'metrics.jsonl', 'checkpoints', 'adapter']) {
  test(`resume refuses a run folder whose ${entry} is a link, writing nothing through it`, async () => {
    const { dir, cfg } = await cancelledRun(`link-${entry}`);
    const target = path.join(tmp, `outside-${entry}`);
    const inside = path.join(dir, entry);
    if (entry === 'checkpoints' || entry === 'adapter') {
      if (fs.existsSync(inside)) fs.cpSync(inside, target, { recursive: true });
      else fs.mkdirSync(target);
    } else fs.writeFileSync(target, 'precious\n');
    fs.rmSync(inside, { recursive: true, force: true });
    fs.symlinkSync(target, inside);
    const before = snapshot(target);
    await assert.rejects(run(cfg, dir, { resume: true }), (e: Error) => e instanceof RefusedError && e.message.includes(entry) && /symbolic link/.test(e.message));
    assert.deepEqual(snapshot(target), before, 'the link target is untouched');
    assert.equal((readRunRecord(dir) as { record: { status: string } }).record.status, 'cancelled');
  });
}

function snapshot(p: string): Record<string, string> {
  if (fs.statSync(p).isFile()) return { '': fs.readFileSync(p, 'base64') };
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(p, { recursive: true }) as string[]) {
    const full = path.join(p, f);
    out[f] = fs.statSync(full).isFile() ? fs.readFileSync(full, 'base64') : 'dir';
  }
  return out;
}

test('a value with a newline or an escape sequence cannot forge a line in trainer.log', async () => {
  const forged = '\n2026-01-01T00:00:00.000Z ERROR forged line\r\u001b[31m';
  const data = writeJsonl(`data${forged.replace(/\//g, '_')}.jsonl`, sftRows);
  const dir = path.join(tmp, 'runs', 'forged');
  const r = await run(config({ data, steps: 1 }), dir);
  assert.equal(r.status, 'completed', r.error);
  const log = fs.readFileSync(path.join(dir, 'trainer.log'), 'utf8');
  const lines = log.split('\n').filter(Boolean);
  for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO |WARN |ERROR|DEBUG) /, JSON.stringify(line));
  assert.ok(!/\u001b|\r/.test(log), 'no raw control characters');
  assert.ok(log.includes('\\n2026-01-01T00:00:00.000Z ERROR forged line\\r\\u001b[31m'), 'the value is still readable, escaped');
});

test('half-written checkpoint folders left by a killed trainer are removed on resume', async () => {
  const { dir, cfg } = await cancelledRun('stale-tmp');
  const stale = path.join(dir, 'checkpoints', '.tmp-step-4-99999');
  fs.mkdirSync(path.join(stale, 'adapter'), { recursive: true });
  fs.writeFileSync(path.join(stale, 'trainer_state.bin'), 'half');
  const r = await run(cfg, dir, { resume: true });
  assert.equal(r.status, 'completed', r.error);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'checkpoints')).filter((n) => n.startsWith('.')), []);
});

test('right-truncation that cuts every answer token: each example is named in trainer.log, counted in run.json, and a batch with nothing to train fails the run', async () => {
  const long = Array.from({ length: 8 }, (_, i) => ({ prompt: `A long clinical note number ${i} that does not fit`, completion: ' urgent' }));
  const data = writeJsonl('too-long.jsonl', long);
  const dir = path.join(tmp, 'runs', 'untrained');
  const r = await run(config({ data, steps: 3, maxLength: 16 }), dir);
  assert.equal(r.status, 'failed');
  assert.match(r.error ?? '', /no token to train on/);
  assert.match(r.error ?? '', /--max-length 16/);
  assert.match(r.error ?? '', /too-long\.jsonl:\d/);
  const log = fs.readFileSync(path.join(dir, 'trainer.log'), 'utf8');
  for (let line = 1; line <= 8; line++) assert.ok(log.includes(`too-long.jsonl:${line}: --max-length 16 cut off every answer token`), `line ${line} warned`);
  const rec = readRunRecord(dir);
  assert.ok(rec.ok);
  assert.equal(rec.record.status, 'failed');
  assert.deepEqual(rec.record.untrainedExamples, { train: 8, eval: 0 });
  assert.equal(readMetrics(dir).records.filter((m) => m.loss === 0).length, 0, 'no step "trained" with loss 0');

  // Some examples still train: the run completes, the others are warned about and counted.
  const mixed = writeJsonl('mixed.jsonl', [...sftRows, long[0], long[1]]);
  const ok = await run(config({ data: mixed, steps: 2, maxLength: 16, batchSize: 10 }), path.join(tmp, 'runs', 'mixed'));
  assert.equal(ok.status, 'completed', ok.error);
  const mixedRec = readRunRecord(path.join(tmp, 'runs', 'mixed'));
  assert.ok(mixedRec.ok);
  assert.deepEqual(mixedRec.record.untrainedExamples, { train: 2, eval: 0 });
});
