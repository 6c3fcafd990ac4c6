// The dataset preview's token counts come from `clinical-ft token-lengths` in a trainer child: a workspace's
// tokenizer.json with a catastrophic-backtracking Split regex costs a child that is stopped at a timeout (the
// host's event loop keeps running), records are counted on their first N characters, and the preview's stats
// say so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { TrainerChildren } from '../../../src/host/trainerChildren';
import { TokenLengthsReport } from '../../../src/core/datasets/tokenLengths';
import { indexDataset } from '../../../src/core/node/datasetIndex';
import { applyTokenCount } from '../../../src/core/node/previewStats';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const extensionPath = path.join(root, 'out', `token-lengths-${process.pid}`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-toklen-'));
let owner: TrainerChildren;

before(async () => {
  const script = path.join(extensionPath, 'dist', 'trainer.js');
  await esbuild.build({ entryPoints: [path.join(root, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: script, packages: 'external', logLevel: 'error' });
  owner = new TrainerChildren({ script, nodePath: () => undefined });
});
after(() => {
  owner.dispose();
  fs.rmSync(extensionPath, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A character-level tokenizer (one token per printable ASCII character) with the given Split regex. */
function tokenizerDir(name: string, split: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const vocab: Record<string, number> = {};
  for (let c = 32; c < 127; c++) vocab[String.fromCharCode(c)] = c;
  const json = {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: split }, behavior: 'Isolated', invert: false }, { type: 'Split', pattern: { Regex: '.' }, behavior: 'Isolated', invert: false }] },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '?' },
  };
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  return dir;
}

function dataset(name: string, completions: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, completions.map((c) => JSON.stringify({ prompt: 'q', completion: c })).join('\n') + '\n');
  return file;
}

test('token lengths per line, records over the cap counted on their first N characters, and the stats say so', async () => {
  const dir = tokenizerDir('plain', ' ');
  const file = dataset('plain.jsonl', ['abc', 'x'.repeat(500), 'hello world']);
  const r = await owner.run({ label: 'token lengths', args: ['token-lengths', '--tokenizer', dir, '--data', file, '--max-chars', '100', '--json'] }).result;
  assert.equal(r.code, 0, r.stderr);
  const report = TokenLengthsReport.parse(JSON.parse(r.stdout));
  assert.equal(report.capped, 1);
  assert.equal(report.maxChars, 100);
  assert.deepEqual(report.lengths.map(([line]) => line), [1, 2, 3]);
  assert.equal(report.lengths[1][1], 100, 'the 500-character record is counted on its first 100 characters');
  assert.ok(report.lengths[0][1] < report.lengths[2][1]);

  const index = await indexDataset(file);
  assert.equal(index.lengthUnit, 'characters');
  const stats = applyTokenCount(index, { ok: true, report });
  assert.equal(stats.lengthUnit, 'tokens');
  assert.equal(stats.tokenizer, 'plain');
  assert.equal(stats.max, 100);
  assert.match(stats.lengthNote ?? '', /1 record longer than 100 characters was counted on its first 100 characters/);
});

test('a catastrophic-backtracking tokenizer is stopped at the timeout while the host keeps running, and the preview says why', async () => {
  // (a|a)+b doubles its work per "a" when no "b" follows: 60 of them would take years.
  const dir = tokenizerDir('evil', '(a|a)+b');
  const file = dataset('evil.jsonl', ['a'.repeat(60) + 'c']);
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 50);
  const started = Date.now();
  const r = await owner.run({ label: 'token lengths', args: ['token-lengths', '--tokenizer', dir, '--data', file, '--json'], timeoutMs: 3000 }).result;
  clearInterval(ticker);
  assert.equal(r.timedOut, true);
  assert.ok(Date.now() - started < 30_000);
  assert.ok(ticks >= 20, `the host's event loop ran during the count (${ticks} ticks)`);
  const stats = applyTokenCount(await indexDataset(file), { ok: false, reason: 'the evil tokenizer took longer than 3 s on this file and was stopped' });
  assert.equal(stats.lengthUnit, 'characters');
  assert.match(stats.lengthNote ?? '', /Token counts unavailable \(the evil tokenizer took longer than 3 s.*lengths are in characters/);

  // The same record, capped, is counted at once.
  const capped = await owner.run({ label: 'token lengths', args: ['token-lengths', '--tokenizer', dir, '--data', file, '--max-chars', '12', '--json'], timeoutMs: 20_000 }).result;
  assert.equal(capped.code, 0, capped.stderr);
  assert.equal(TokenLengthsReport.parse(JSON.parse(capped.stdout)).capped, 1);
});
