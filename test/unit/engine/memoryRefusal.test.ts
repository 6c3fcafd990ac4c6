// Every command that loads a model refuses, before loading, a request that cannot fit — with the numbers and
// what to change — instead of a wasm `Aborted()`, `memory access out of bounds` or a V8 heap crash.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { tempDir } from './helpers';
import { loadNativeBlas } from '../../../src/trainer/kernels/nativeBlas';
import { expectedTensors } from '../../../src/trainer/engine/model';
import { parseHfConfig } from '../../../src/trainer/engine/hfConfig';

/** A bf16 safetensors file with exactly these tensors whose data section is a hole in a sparse file. */
function writeSparseWeights(file: string, tensors: Map<string, number[]>): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape] of tensors) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype: 'BF16', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(json)]));
  fs.truncateSync(file, 8 + json.length + offset);
}

const hasNative = loadNativeBlas().blas !== undefined;

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
let trainer = '';
let dir = '';
let huge = '';
let small = '';
let data = '';

function cli(args: string[], env: Record<string, string> = {}): { code: number; all: string } {
  const r = spawnSync(process.execPath, [trainer, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status ?? -1, all: `${r.stdout}\n${r.stderr}` };
}

function assertRefused(r: { code: number; all: string }, what: RegExp): void {
  assert.notEqual(r.code, 0, r.all);
  assert.match(r.all, /not enough memory for/);
  assert.match(r.all, what);
  assert.match(r.all, /estimated peak \d+\.\d\d GB/);
  assert.match(r.all, /Try /);
  assert.doesNotMatch(r.all, /Aborted\(\)|memory access out of bounds|heap out of memory|^\s+at /m);
}

describe('memory pre-flight refusals', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    trainer = path.join(root, 'out', 'memory-cli', 'trainer.js');
    await esbuild.build({ entryPoints: [path.join(root, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: trainer, packages: 'external', logLevel: 'error' });
    dir = tempDir('memref');
    small = path.join(dir, 'small');
    await writeTinyModel(small, { arch: 'llama', dtype: 'BF16' });
    // A 70B-class model whose safetensors header matches its config.json but whose data is a sparse hole (140 GB
    // that take no disk): reading any weight would take minutes, so a refusal that names memory proves the check
    // ran before loading.
    huge = path.join(dir, 'huge');
    await writeTinyModel(huge, { arch: 'llama', dtype: 'BF16' });
    const cfg = JSON.parse(fs.readFileSync(path.join(huge, 'config.json'), 'utf8'));
    Object.assign(cfg, { hidden_size: 8192, intermediate_size: 28672, num_hidden_layers: 80, num_attention_heads: 64, num_key_value_heads: 8, vocab_size: 128256 });
    fs.writeFileSync(path.join(huge, 'config.json'), JSON.stringify(cfg));
    writeSparseWeights(path.join(huge, 'model.safetensors'), expectedTensors(parseHfConfig(cfg, 'config.json')));
    data = path.join(dir, 'data.jsonl');
    fs.writeFileSync(data, ['{"prompt":"Chest pain?","completion":" Urgent."}', '{"prompt":"Refill?","completion":" Routine."}'].join('\n') + '\n');
  });

  for (const backend of ['wasm', 'cpu']) {
    test(`score, generate, eval and train refuse a model too large for this machine (${backend})`, () => {
      assertRefused(cli(['score', '--model', huge, '--text', 'fever', '--backend', backend]), /huge/);
      assertRefused(cli(['generate', '--model', huge, '--prompt', 'fever', '--max-new-tokens', '4', '--backend', backend]), /a smaller model/);
      assertRefused(cli(['eval', '--model', huge, '--data', data, '--backend', backend]), /machine has/);
      const out = path.join(dir, `run-huge-${backend}`);
      const t = cli(['train', '--method', 'sft', '--model', huge, '--data', data, '--steps', '1', '--batch-size', '1', '--max-length', '64', '--out', out, '--backend', backend]);
      assertRefused(t, /a smaller model/);
      const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
      assert.equal(run.status, 'failed');
      assert.match(run.error, /not enough memory/);
    });
  }

  test('train refuses a batch × length the wasm heap cannot hold, naming the batch and length to change', () => {
    const r = cli(['train', '--method', 'sft', '--model', small, '--data', data, '--steps', '1', '--batch-size', '512', '--max-length', '4096', '--out', path.join(dir, 'run-batch'), '--backend', 'wasm']);
    assertRefused(r, /tensor heap needs/);
    assert.match(r.all, /--batch-size 256/);
    assert.match(r.all, /--max-length 2048/);
  });

  test('a machine with less free memory than the run needs is refused too (CLINICAL_FT_MEMORY_LIMIT_MB)', () => {
    assertRefused(cli(['score', '--model', small, '--text', 'fever', '--backend', 'wasm'], { CLINICAL_FT_MEMORY_LIMIT_MB: '50' }), /machine has 0\.05 GB available/);
    const ok = cli(['score', '--model', small, '--text', 'fever', '--backend', 'wasm']);
    assert.equal(ok.code, 0, ok.all);
  });

  test('a run that fits records the estimate and its threads in run.json and trainer.log', () => {
    const out = path.join(dir, 'run-ok');
    const r = cli(['train', '--method', 'sft', '--model', small, '--data', data, '--steps', '1', '--batch-size', '2', '--max-length', '64', '--out', out, '--backend', 'wasm']);
    assert.equal(r.code, 0, r.all);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    assert.ok(run.memoryEstimate.processBytes > run.memoryEstimate.heapBytes && run.memoryEstimate.weightBytes > 0, JSON.stringify(run.memoryEstimate));
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    assert.equal(run.threads, hasNative && !process.env.CLINICAL_FT_BLAS_THREADS ? cores : run.threads);
    assert.ok(Number.isInteger(run.threads) && run.threads >= 1);
    assert.match(fs.readFileSync(path.join(out, 'trainer.log'), 'utf8'), /Memory: estimated peak \d+\.\d\d GB/);
  });

  test('env reports the BLAS threads a run will use (all cores by default)', { skip: hasNative ? false : 'native addon not built' }, () => {
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    const env = { ...process.env };
    delete env.CLINICAL_FT_BLAS_THREADS;
    const r = spawnSync(process.execPath, [trainer, 'env', '--json'], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    const wasm = JSON.parse(r.stdout).backends.find((b: { name: string }) => b.name === 'wasm');
    assert.equal(wasm.features.blasThreads, cores);
    const one = spawnSync(process.execPath, [trainer, 'env', '--json'], { encoding: 'utf8', env: { ...env, CLINICAL_FT_BLAS_THREADS: '1' } });
    assert.equal(JSON.parse(one.stdout).backends.find((b: { name: string }) => b.name === 'wasm').features.blasThreads, 1);
  });

  test('gradient checkpointing switches itself on when the run only fits with it, and run.json says so', () => {
    const args = (out: string) => ['train', '--method', 'sft', '--model', small, '--data', data, '--steps', '1', '--batch-size', '64', '--max-length', '512', '--out', path.join(dir, out), '--backend', 'wasm'];
    const plain = cli(args('run-ckpt-off'));
    assert.equal(plain.code, 0, plain.all);
    const off = JSON.parse(fs.readFileSync(path.join(dir, 'run-ckpt-off', 'run.json'), 'utf8'));
    assert.equal(off.config.gradientCheckpointing, false);
    const limitMB = Math.floor((off.memoryEstimate.processBytes * 0.9) / 2 ** 20);
    const tight = cli(args('run-ckpt-on'), { CLINICAL_FT_MEMORY_LIMIT_MB: String(limitMB) });
    assert.equal(tight.code, 0, tight.all);
    const on = JSON.parse(fs.readFileSync(path.join(dir, 'run-ckpt-on', 'run.json'), 'utf8'));
    assert.equal(on.config.gradientCheckpointing, true);
    assert.ok(on.memoryEstimate.processBytes < limitMB * 2 ** 20);
    // As few layers as fit: recorded in run.json and named in trainer.log.
    const layers = on.memoryEstimate.checkpointedLayers as number;
    assert.ok(Number.isInteger(layers) && layers >= 1, `checkpointedLayers ${layers}`);
    assert.match(fs.readFileSync(path.join(dir, 'run-ckpt-on', 'trainer.log'), 'utf8'), new RegExp(`Gradient checkpointing switched on for ${layers} layers?:`));
    // Asked for explicitly, it is on whatever the memory.
    const asked = cli([...args('run-ckpt-flag'), '--gradient-checkpointing']);
    assert.equal(asked.code, 0, asked.all);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'run-ckpt-flag', 'run.json'), 'utf8')).config.gradientCheckpointing, true);
  });
});
