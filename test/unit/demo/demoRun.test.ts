// `npm run demo` end to end on a tiny budget: two seeds of two tasks trained by the real CLI two at a time,
// evaluated, and written as results.md / results.csv / demo.json with one log per pipeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { main, parseArgs } from '../../../src/trainer/demo/main';

const repo = process.env.CLINICAL_FT_ROOT ?? process.cwd();
// Inside the repository so the bundle's packages resolve from node_modules.
const root = path.join(repo, 'out', `demo-run-${process.pid}`);

before(async () => {
  await esbuild.build({ entryPoints: [path.join(repo, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(root, 'dist', 'trainer.js'), packages: 'external', logLevel: 'error' });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('demo: base, SFT and DPO over two seeds, two pipelines at a time, every number written', async () => {
  const out = path.join(root, 'demo');
  const runs = path.join(root, 'runs');
  const args = parseArgs(
    ['--model', path.join(repo, 'datasets-sample', 'model'), '--samples', path.join(repo, 'datasets-sample'), '--out', out, '--runs', runs,
      '--tasks', 'uti,triage', '--seeds', '2', '--limit', '3', '--sft-steps', '2', '--dpo-steps', '2', '--jobs', '2', '--backend', 'wasm',
      '--policy-seeds', '1', '--pref-steps', '2', '--orpo-steps', '2'],
    root,
  );
  const write = process.stdout.write.bind(process.stdout);
  const lines: string[] = [];
  process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await main(args);
  } finally {
    process.stdout.write = write;
  }
  const facts = JSON.parse(fs.readFileSync(path.join(out, 'demo.json'), 'utf8'));
  assert.equal(facts.complete, true);
  assert.equal(facts.jobs, 2);
  assert.deepEqual(facts.seeds, [1, 2]);
  const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
  assert.match(md, /\| base \|/);
  // The local-policy part: seed 1 only, every preference method run and evaluated on Riverbend's eval.
  assert.match(md, /## Local policy \(Riverbend Health/);
  for (const m of ['dpo', 'kto', 'simpo', 'orpo']) assert.ok(fs.existsSync(path.join(runs, fs.readdirSync(runs).find((d) => d.endsWith(`-${m}-policy-s1`)) ?? 'missing', 'adapter')), `${m} policy run`);
  assert.match(md, /\| SimPO \| /);
  assert.match(md, /\| SFT \| .*\(n=2\)/);
  assert.match(md, /\| DPO \| — \| .*\(n=2\)/, 'UTI has no pairs, so no DPO cell; triage has one over both seeds');
  const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
  assert.ok(csv.length >= 4, csv.join('\n'));
  for (const seed of [1, 2]) {
    for (const name of [`sft-uti-s${seed}`, `sft-triage-s${seed}`, `dpo-triage-s${seed}`]) {
      const dir = fs.readdirSync(runs).find((d) => d.endsWith(name));
      assert.ok(dir, `run folder *${name}`);
      assert.ok(fs.existsSync(path.join(runs, dir, 'adapter', 'adapter_config.json')), `${name} adapter`);
    }
    assert.ok(fs.statSync(path.join(out, 'logs', `triage-s${seed}.log`)).size > 0);
  }
  const triage = JSON.parse(fs.readFileSync(path.join(fs.readdirSync(runs).map((d) => path.join(runs, d)).find((d) => d.endsWith('sft-triage-s1'))!, 'eval-triage.json'), 'utf8'));
  assert.equal(triage.examples, 3);
  assert.ok(triage.maxNewTokens > 10, 'the budget covers the longest gold answer');
  assert.ok(lines.some((l) => l.includes('4 training pipelines, 2 at a time')), lines.join(''));
});
