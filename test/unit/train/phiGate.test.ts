// The PHI gate in the trainer itself: `clinical-ft train --phi-errors` (run.json "phiAsErrors", which the
// extension sets from clinicalFt.phiAsErrors) refuses training data, eval data and a resume with possible
// PHI, and no matched text ever lands in run.json, trainer.log, the CLI's output or the child's failure event
// (what the extension writes into run.json and its output channel) — kind and position only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cp from 'node:child_process';
import * as esbuild from 'esbuild';
import { writeTinyModel } from '../../fixtures/tinyModel';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-phigate-'));
const cli = path.join(root, 'out', `phi-gate-${process.pid}`, 'trainer.js');
const modelDir = path.join(tmp, 'model');
const SSN = '123-45-6789';
const EMAIL = 'jane.doe@example.com';
const clean = path.join(tmp, 'clean.jsonl');
const phi = path.join(tmp, 'phi.jsonl');

const rows = Array.from({ length: 8 }, (_, i) => ({ prompt: `Case ${i}: fever?`, completion: i % 2 ? 'admit' : 'home' }));
const jsonl = (rs: object[]) => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';

before(async () => {
  await esbuild.build({
    entryPoints: [path.join(root, 'src/trainer/main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '*.node'],
    logLevel: 'error',
  });
  await writeTinyModel(modelDir, { hidden: 16, layers: 1, heads: 2, kvHeads: 1, intermediate: 32, seed: 3 });
  fs.writeFileSync(clean, jsonl(rows));
  fs.writeFileSync(phi, jsonl([...rows, { prompt: `Patient SSN ${SSN}, contact ${EMAIL}: fever?`, completion: 'admit' }]));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(path.dirname(cli), { recursive: true, force: true });
});

function runCli(args: string[]): { code: number | null; out: string } {
  const r = cp.spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const train = (out: string, data: string, extra: string[] = []) =>
  runCli(['train', '--method', 'sft', '--model', modelDir, '--data', data, '--out', out, '--steps', '2', '--batch-size', '4', '--max-length', '64', '--backend', 'cpu', ...extra]);

function assertNoPhiText(where: string, text: string): void {
  assert.ok(!text.includes(SSN), `${where} quotes the SSN:\n${text}`);
  assert.ok(!text.includes(EMAIL), `${where} quotes the email address:\n${text}`);
}

function runFolderText(dir: string): string {
  return ['run.json', 'trainer.log'].map((f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : '')).join('\n');
}

test('validate names the PHI kind and position, never the matched text', () => {
  const r = runCli(['validate', phi, '--json']);
  assert.equal(r.code, 0);
  const result = JSON.parse(r.out.split('\n')[0]) as { warnings: { line: number; column: number; endColumn?: number; code: string; message: string }[] };
  const found = result.warnings.filter((w) => w.code.startsWith('phi_'));
  assert.ok(found.some((w) => w.code === 'phi_ssn' && w.line === 9 && w.column > 1 && w.endColumn === w.column + SSN.length), JSON.stringify(found));
  assert.ok(found.some((w) => w.code === 'phi_email'));
  for (const w of found) assert.match(w.message, /possible PHI \([^)]+, \d+ characters\)/);
  assertNoPhiText('validate --json', r.out);
  assertNoPhiText('validate (text)', runCli(['validate', phi]).out);
});

test('train --phi-errors refuses PHI in the training data and in the eval data, naming kind and line only', () => {
  const refused = train(path.join(tmp, 'run-phi'), phi, ['--phi-errors']);
  assert.equal(refused.code, 2, refused.out);
  assert.match(refused.out, /phi\.jsonl:9:\d+: field "prompt": possible PHI \(Social Security number, 11 characters\)/);
  assertNoPhiText('train output', refused.out);
  assertNoPhiText('run folder', runFolderText(path.join(tmp, 'run-phi')));

  const evalRefused = train(path.join(tmp, 'run-eval'), clean, ['--phi-errors', '--eval-data', phi]);
  assert.equal(evalRefused.code, 2, evalRefused.out);
  assert.match(evalRefused.out, /phi\.jsonl:9:.*possible PHI/);
  assertNoPhiText('train output', evalRefused.out);
});

test('run.json records the gate, and a resume is gated by it', () => {
  const data = path.join(tmp, 'resumed.jsonl');
  fs.writeFileSync(data, jsonl(rows));
  const out = path.join(tmp, 'run-resume');
  const first = train(out, data, ['--phi-errors']);
  assert.equal(first.code, 0, first.out);
  const record = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as { config: { phiAsErrors?: boolean } };
  assert.equal(record.config.phiAsErrors, true);
  // The data gained an identifier since: resuming the run (its own config, no flag) is refused.
  fs.copyFileSync(phi, data);
  const resumed = runCli(['train', '--config', path.join(out, 'run.json'), '--out', out, '--resume', '--steps', '4']);
  assert.equal(resumed.code, 2, resumed.out);
  assert.match(resumed.out, /possible PHI/);
  assertNoPhiText('resume output', resumed.out);
  assertNoPhiText('run folder', runFolderText(out));
});

test('without the gate training goes on, and still nothing of the PHI lands in the run folder', () => {
  const out = path.join(tmp, 'run-open');
  const r = train(out, phi);
  assert.equal(r.code, 0, r.out);
  assertNoPhiText('train output', r.out);
  assertNoPhiText('run folder', runFolderText(out));
});

test("the trainer child's failure event (what the extension records in run.json) names the kind, not the text", async () => {
  const child = cp.fork(cli, ['--child'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
  try {
    const failed = await new Promise<{ error: string; detail?: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from the trainer child')), 120_000);
      child.on('message', (m: { type: string; error?: string; detail?: string }) => {
        if (m.type === 'ready') {
          const config = { method: 'sft', model: modelDir, data: phi, steps: 2, batchSize: 4, maxLength: 64, backend: 'cpu', phiAsErrors: true };
          child.send({ type: 'train', id: 'phi-1', config, outDir: path.join(tmp, 'run-child') });
        }
        if (m.type === 'failed') {
          clearTimeout(timer);
          resolve({ error: m.error ?? '', ...(m.detail ? { detail: m.detail } : {}) });
        }
      });
    });
    assert.match(failed.error, /possible PHI/);
    assertNoPhiText('failed event', `${failed.error}\n${failed.detail ?? ''}`);
  } finally {
    child.kill('SIGKILL');
  }
});
