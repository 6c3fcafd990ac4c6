// The CLI commands and child-process requests as users and the extension call them (bundled trainer entry).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fork, spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { tempDir, writeRandomAdapter } from './helpers';
import { parseHfConfig } from '../../../src/trainer/engine';
import * as fs from 'node:fs';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
let trainer = '';
let model = '';
let adapter = '';

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [trainer, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('clinical-ft score / generate', () => {
  before(async () => {
    const out = tempDir('cli');
    // Inside the repository so the external packages resolve from node_modules.
    trainer = path.join(root, 'out', 'engine-cli', 'trainer.js');
    await esbuild.build({ entryPoints: [path.join(root, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: trainer, packages: 'external', logLevel: 'error' });
    model = path.join(out, 'model');
    await writeTinyModel(model, { arch: 'llama', shards: 2, dtype: 'BF16' });
    adapter = path.join(out, 'adapter');
    const config = parseHfConfig(JSON.parse(fs.readFileSync(path.join(model, 'config.json'), 'utf8')), 'config.json');
    writeRandomAdapter(adapter, config, { r: 2, alpha: 4, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 3);
  });

  test('score --text prints tokens (with BOS) and log-probs with a leading null', () => {
    const r = cli('score', '--model', model, '--text', 'fever', '--backend', 'wasm');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['tokens', 'logprobs']);
    assert.deepEqual(j.tokens, [0, ...Buffer.from('fever').map((b) => b + 3)]);
    assert.equal(j.logprobs[0], null);
    assert.equal(j.logprobs.length, j.tokens.length);
    assert.ok(j.logprobs.slice(1).every((x: number) => x < 0));
    const c = cli('score', '--model', model, '--ids', j.tokens.join(','), '--backend', 'cpu');
    assert.equal(c.code, 0, c.err);
    const jc = JSON.parse(c.out);
    jc.logprobs.slice(1).forEach((x: number, i: number) => assert.ok(Math.abs(x - j.logprobs[i + 1]) < 1e-4));
    const a = JSON.parse(cli('score', '--model', model, '--adapter', adapter, '--text', 'fever').out);
    assert.notDeepEqual(a.logprobs, j.logprobs);
  });

  test('generate is reproducible per seed and prints JSON on request', () => {
    const args = ['generate', '--model', model, '--prompt', 'Plan', '--max-new-tokens', '6', '--temperature', '0.9', '--seed', '4', '--json'];
    const a = cli(...args);
    assert.equal(a.code, 0, a.err);
    const j = JSON.parse(a.out);
    assert.equal(j.tokens.length, j.stoppedAt === 'length' ? 6 : j.tokens.length);
    assert.deepEqual(JSON.parse(cli(...args).out), j);
    const s = cli('generate', '--model', model, '--prompt', 'Plan', '--max-new-tokens', '6', '--temperature', '0.9', '--seed', '4');
    assert.equal(s.out, `${j.text}\n`);
  });

  test('bad flags and folders exit 2 with a message, never a stack trace', () => {
    for (const args of [
      ['score', '--model', model],
      ['score', '--model', model, '--ids', '1,x'],
      ['score', '--model', path.join(model, 'nope'), '--text', 'a'],
      ['score', '--model', model, '--ids', '1,99999'],
      ['generate', '--model', model, '--prompt', 'a', '--temperature', '-1'],
      ['generate', '--model', model, '--adapter', model, '--prompt', 'a'],
    ]) {
      const r = cli(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, /^clinical-ft: /);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
  });

  test('the child process answers score and generate requests over IPC', async () => {
    const child = fork(trainer, ['--child'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const events: Record<string, unknown>[] = [];
    const waitFor = (pred: (e: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const check = (e: Record<string, unknown>) => {
          if (pred(e)) {
            child.off('message', check);
            resolve(e);
          }
        };
        for (const e of events) if (pred(e)) return resolve(e);
        child.on('message', check);
      });
    child.on('message', (e) => events.push(e as Record<string, unknown>));
    try {
      await waitFor((e) => e.type === 'ready');
      child.send({ type: 'score', id: 's1', model, text: 'fever' });
      const scored = await waitFor((e) => e.id === 's1' && (e.type === 'scored' || e.type === 'failed'));
      assert.equal(scored.type, 'scored', JSON.stringify(scored));
      assert.equal((scored.logprobs as unknown[])[0], null);
      child.send({ type: 'generate', id: 'g1', model, prompt: 'Plan', maxNewTokens: 4 });
      const gen = await waitFor((e) => e.id === 'g1' && (e.type === 'generated' || e.type === 'failed'));
      assert.equal(gen.type, 'generated', JSON.stringify(gen));
      const tokens = events.filter((e) => e.id === 'g1' && e.type === 'token');
      assert.deepEqual(tokens.map((t) => t.tokenId), gen.tokens);
      child.send({ type: 'score', id: 's2', model: path.join(model, 'missing'), ids: [1, 2] });
      const failed = await waitFor((e) => e.id === 's2');
      assert.equal(failed.type, 'failed');
      assert.match(String(failed.error), /model folder not found/);
    } finally {
      child.kill();
    }
  });
});
