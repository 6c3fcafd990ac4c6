// `clinical-ft factsheet` on a real run the test makes: the sample model trained for a few SFT steps with an eval
// set, evaluated with `clinical-ft eval` on records that carry meta.subgroup, plus two annotators' label files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleTrainerCli, runCli } from '../engine/helpers';
import { annotatorAgreement } from '../../../src/core/labels/agreement';
import { ANSWERS_FILE, answersFileText } from '../../../src/core/factsheet/answers';
import { loadSchema, parseXml, validate } from '../../fixtures/chai/xsdSubset';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const sample = (...p: string[]) => path.join(root, 'datasets-sample', ...p);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-factsheet-'));
const run = path.join(tmp, 'run');
let trainer = '';

const sha256 = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const lines = (f: string, n: number) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).slice(0, n);

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (trainer) fs.rmSync(path.dirname(trainer), { recursive: true, force: true });
});

before(async () => {
  trainer = await bundleTrainerCli(`factsheet-cli-${process.pid}`);
  const train = path.join(tmp, 'train.sft.jsonl');
  fs.writeFileSync(train, lines(sample('triage', 'triage.train.sft.jsonl'), 16).join('\n') + '\n');
  const evalFile = path.join(tmp, 'eval.sft.jsonl');
  const evalRecords = lines(sample('triage', 'triage.eval.sft.jsonl'), 6).map((l, i) => JSON.stringify({ ...JSON.parse(l), meta: { subgroup: i % 2 ? 'pediatric' : 'adult' } }));
  fs.writeFileSync(evalFile, evalRecords.join('\n') + '\n');
  const t = runCli(trainer, ['train', '--method', 'sft', '--model', sample('model'), '--data', train, '--eval-data', evalFile, '--steps', '3', '--batch-size', '4', '--max-length', '256', '--eval-every', '3', '--backend', 'wasm', '--out', run]);
  assert.equal(t.code, 0, t.err);
  const e = runCli(trainer, ['eval', '--model', sample('model'), '--adapter', path.join(run, 'adapter'), '--data', evalFile, '--max-new-tokens', '4', '--backend', 'wasm', '--json']);
  assert.equal(e.code, 0, e.err);
});

test('factsheet --run writes the four formats from the run artifacts: hashes, data, curves, evaluation, subgroups, agreement', () => {
  fs.writeFileSync(path.join(run, ANSWERS_FILE), answersFileText({ intendedUse: 'Research demo only.' }));
  const a = sample('labeling', 'annotator-a.prefs.jsonl');
  const b = sample('labeling', 'annotator-b.prefs.jsonl');
  const out = path.join(tmp, 'sheet') + path.sep;
  const r = runCli(trainer, ['factsheet', '--run', run, '--labels', a, '--labels', b, '--out', out]);
  assert.equal(r.code, 0, r.err);
  const written = r.out.trim().split('\n').map((p) => path.basename(p)).sort();
  assert.deepEqual(written, ['factsheet-loss.svg', 'factsheet.html', 'factsheet.json', 'factsheet.md', 'factsheet.xml']);
  const md = fs.readFileSync(path.join(out, 'factsheet.md'), 'utf8');
  assert.ok(md.includes(`| model.safetensors | ${fs.statSync(sample('model', 'model.safetensors')).size} | ${sha256(sample('model', 'model.safetensors'))} |`), 'base weight sha256');
  assert.ok(md.includes(sha256(path.join(run, 'adapter', 'adapter_model.safetensors'))), 'adapter sha256');
  assert.match(md, new RegExp(`\\| train \\| train\\.sft\\.jsonl \\| ${sha256(path.join(tmp, 'train.sft.jsonl'))} \\| 16 \\|`));
  assert.match(md, /\| eval \| eval\.sft\.jsonl \| [0-9a-f]{64} \| 6 \|/);
  assert.match(md, /\*\*Intended use:\*\* Research demo only\./);
  assert.match(md, /!\[Loss\]\(factsheet-loss\.svg\)/);
  const metrics = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  const lastLoss = metrics.filter((m) => typeof m.loss === 'number').at(-1)!.loss;
  const lastEval = metrics.filter((m) => typeof m.eval_loss === 'number').at(-1)!.eval_loss;
  assert.ok(md.includes(`| Final train loss | ${lastLoss.toFixed(4)} |`));
  assert.ok(md.includes(`| Final eval loss | ${lastEval.toFixed(4)} |`));
  // clinical-ft eval's metrics.json, read back into the table (one run: its value), and by subgroup.
  const evalMetrics = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'eval.sft', 'metrics.json'), 'utf8'));
  const m1 = evalMetrics.classification ? evalMetrics.classification.accuracy : evalMetrics.rougeL.fmeasure;
  assert.match(md, new RegExp(`\\| SFT \\| ${m1.toFixed(3).replace('.', '\\.')} \\|`));
  assert.match(md, /\| Model \| adult \| pediatric \|\n\|---\|---\|---\|\n\| SFT \| [\d.]+ \[3 ex\.\] \| [\d.]+ \[3 ex\.\] \|/);
  const kappa = annotatorAgreement(fs.readFileSync(a, 'utf8'), fs.readFileSync(b, 'utf8')).kappa!;
  assert.ok(md.includes(`| Cohen's kappa | ${kappa.toFixed(3)} |`));
  assert.equal(parseXml(fs.readFileSync(path.join(out, 'factsheet-loss.svg'), 'utf8')).name, 'svg');
  const hti1 = JSON.parse(fs.readFileSync(path.join(out, 'factsheet.json'), 'utf8'));
  assert.equal(hti1.attributes.length, 31);
  assert.equal(hti1.attributes.find((x: { ref: string }) => x.ref === '7(ii)').status, 'from_artifacts');
  const xsd = fs.readFileSync(path.join(root, 'test/fixtures/chai/schema-v0.2.xsd'), 'utf8');
  assert.deepEqual(validate(loadSchema(xsd), parseXml(fs.readFileSync(path.join(out, 'factsheet.xml'), 'utf8'))), []);
  const html = fs.readFileSync(path.join(out, 'factsheet.html'), 'utf8');
  assert.ok(html.includes('<svg') && !html.includes('<script'));
});

test('factsheet --format md --out PATH writes PATH.md; --inputs-json prints the facts; bad input exits 2 naming the problem', () => {
  const stem = path.join(tmp, 'only', 'card');
  const r = runCli(trainer, ['factsheet', '--run', run, '--format', 'md', '--out', stem]);
  assert.equal(r.code, 0, r.err);
  assert.ok(fs.existsSync(`${stem}.md`) && !fs.existsSync(`${stem}.xml`));
  const j = runCli(trainer, ['factsheet', '--run', run, '--inputs-json']);
  assert.equal(j.code, 0, j.err);
  assert.equal(JSON.parse(j.out).run.method, 'sft');
  const missing = runCli(trainer, ['factsheet', '--run', path.join(tmp, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope[\\/]run\.json: not found — --run must be a run folder/);
  const badFormat = runCli(trainer, ['factsheet', '--run', run, '--format', 'pdf']);
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.err, /--format must be md, html, json, chai or all/);
  fs.writeFileSync(path.join(run, ANSWERS_FILE), '{"version":1,"updatedAt":"x","answers":{"intendedUse":5}}');
  const bad = runCli(trainer, ['factsheet', '--run', run]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /factsheet\.answers\.json: answers\.intendedUse: /);
  assert.ok(!bad.err.includes('    at '), 'no stack trace');
});
