// validateFile with the PHI scan in worker threads gives the single-thread result issue for issue, in the same
// order, on a file whose PHI, schema errors, syntax errors, blank lines and duplicates fall in many batches and
// whose last line is torn; a worker that fails surfaces as one clear message (no hang, no stack), and a worker
// that cannot start leaves the scan to this thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { validateFile } from '../../../src/core/node/validateFile';
import { busyCores, defaultPhiThreads, PhiScanError } from '../../../src/core/node/phiScanPool';
import { scanLines, PhiScanLookup } from '../../../src/core/datasets/phiLineScan';
import { detectPhi } from '../../../src/core/phi/detectors';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-phi-threads-'));
const worker = path.join(tmp, 'phiScanWorker.js');
esbuild.buildSync({ entryPoints: [path.join(root, 'src/core/node/phiScanWorker.ts')], outfile: worker, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });

/** A stand-in worker script: `body` runs on each request `m` after the worker said it is ready. */
function fakeWorker(name: string, body: string, beforeReady = ''): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, `const { parentPort } = require('node:worker_threads');\n${beforeReady}\nparentPort.on('message', (m) => { ${body} });\nparentPort.postMessage({ type: 'ready' });\n`);
  return f;
}

/** About 1.5 MB: a dozen batches of 128 KB, with something to report in every one of them. */
function mixedFile(): string {
  const lines: string[] = [];
  const note = (i: number) =>
    `Case ${i}: 67-year-old admitted with cellulitis, WBC ${4 + (i % 14)}.${i % 10}, treated with cefazolin for ${2 + (i % 6)} days and discharged home in stable condition with follow-up in one week.`;
  for (let i = 0; i < 6000; i++) {
    if (i % 173 === 5) lines.push('');
    else if (i % 131 === 7) lines.push(`{"prompt": "Summarize. ${note(i)}", "completion": tru}`);
    else if (i % 97 === 3) lines.push(JSON.stringify({ id: `r${i}`, prompt: `Summarize. ${note(i)}`, completion: 5 }));
    else if (i % 89 === 11) lines.push(JSON.stringify({ id: `r${i - 1}`, prompt: `Summarize. ${note(i)}`, completion: ' Cellulitis, treated.' }));
    else if (i % 211 === 13) lines.push(JSON.stringify({ id: `r${i}`, question: `Summarize. ${note(i)} Seen by Dr. Ana Lopez.`, completion: ' Cellulitis.' }));
    else {
      const phi =
        i % 37 === 0 ? ` Call Maria Gonzalez at 617-555-${String(1000 + (i % 9000)).padStart(4, '0')}.` : i % 41 === 0 ? ` Admitted on 03/${1 + (i % 28)}/2023, MRN ${1000000 + i}.` : i % 53 === 0 ? ' Lives at 12 Elm Street, Boston, MA 02118.' : '';
      lines.push(JSON.stringify({ id: `r${i}`, prompt: `Summarize the note. ${note(i)}${phi}`, completion: ` Cellulitis, treated with cefazolin (case ${i % 500}).` }));
    }
  }
  const f = path.join(tmp, 'mixed.jsonl');
  fs.writeFileSync(f, `${lines.join('\n')}\n{"prompt": "Summarize. Seen by Dr. Ana Lo`);
  return f;
}
const mixed = mixedFile();

test('the threaded PHI scan gives the single-thread result, issue for issue and in order', async () => {
  const alone = await validateFile(mixed, { maxIssues: 100_000 });
  // The file must exercise what it claims: PHI of several kinds, errors, duplicates and the torn last line.
  const codes = new Set<string>([...alone.errors, ...alone.warnings].map((i) => i.code));
  for (const c of ['phi_phone', 'phi_name', 'phi_date', 'phi_mrn', 'phi_address', 'wrong_type', 'json_syntax', 'duplicate_id', 'field_alias', 'torn_last_line']) assert.ok(codes.has(c), `no ${c} in the test file`);
  assert.ok(alone.warnings.filter((w) => w.code.startsWith('phi_')).length > 300);
  for (const threads of [1, 2, 3]) assert.deepEqual(await validateFile(mixed, { maxIssues: 100_000, phiWorkers: { script: worker, threads } }), alone, `${threads} threads`);
  // With a cap, the same issues are listed and the same ones counted as omitted; and with PHI as errors.
  for (const opts of [{ maxIssues: 150 }, { phiAsErrors: true }]) {
    assert.deepEqual(await validateFile(mixed, { ...opts, phiWorkers: { script: worker, threads: 2 } }), await validateFile(mixed, opts));
  }
  assert.deepEqual(await validateFile(mixed, { chunkBytes: 4096, phiWorkers: { script: worker, threads: 2 } }), await validateFile(mixed));
});

test("validateFile reports the workers' findings (it does not scan again in this thread)", async () => {
  const f = path.join(tmp, 'two.jsonl');
  fs.writeFileSync(f, `${JSON.stringify({ prompt: 'no identifiers here', completion: 'none' })}\n${JSON.stringify({ text: 'plain text' })}\n`);
  // Claims a name in every prompt_completion prompt (format code 1): validateFile must report exactly that.
  const liar = fakeWorker(
    'liar.js',
    `parentPort.postMessage({ type: 'scanned', id: m.id, formats: new Uint8Array(m.texts.length).fill(1), found: m.texts.map((_, i) => [i, 'prompt', [{ category: 'name', start: 0, end: 2, text: 'no' }]]) });`,
  );
  const r = await validateFile(f, { phiWorkers: { script: liar, threads: 1 } });
  assert.deepEqual(r.warnings.map((w) => [w.line, w.code, w.field, w.column]), [[1, 'phi_name', 'prompt', 12]]);
  // Line 2 is another format than the worker claimed: it is scanned here, and "mixed_format" is an error anyway.
  assert.deepEqual(r.errors.map((e) => [e.line, e.code]), [[2, 'mixed_format']]);
});

test('a worker that throws, reports a failure or exits fails validation with one clear message, without hanging', async () => {
  const cases: [string, string, RegExp][] = [
    ['throws.js', `throw new Error('detector exploded');`, /^the PHI scan worker thread stopped while scanning lines \d+-\d+: detector exploded$/],
    ['fails.js', `parentPort.postMessage({ type: 'failed', id: m.id, message: 'detector exploded' });`, /^the PHI scan of lines \d+-\d+ failed: detector exploded$/],
    ['exits.js', `process.exit(3);`, /^the PHI scan worker thread stopped while scanning lines \d+-\d+: exited with code 3$/],
    ['garbage.js', `parentPort.postMessage({ type: 'scanned', id: m.id });`, /^the PHI scan worker thread stopped while scanning lines \d+-\d+: sent an unexpected message$/],
  ];
  for (const [name, body, message] of cases) {
    await assert.rejects(validateFile(mixed, { phiWorkers: { script: fakeWorker(name, body), threads: 2 } }), (e: unknown) => {
      assert.ok(e instanceof PhiScanError, `${name}: ${String(e)}`);
      assert.match(e.message, message, name);
      return true;
    });
  }
});

test('workers that cannot start leave the scan to this thread: same result', async () => {
  const alone = await validateFile(mixed);
  const broken = fakeWorker('broken.js', '', `throw new Error('cannot load');`);
  assert.deepEqual(await validateFile(mixed, { phiWorkers: { script: broken, threads: 2 } }), alone);
  assert.deepEqual(await validateFile(mixed, { phiWorkers: { script: path.join(tmp, 'missing.js'), threads: 2 } }), alone);
  assert.deepEqual(await validateFile(mixed, { phiWorkers: { script: worker, threads: 0 } }), alone);
});

test('scanLines finds what detectPhi finds per text field, and leaves lines it cannot read unscanned', () => {
  const texts = [
    JSON.stringify({ prompt: 'Call 617-555-0142.', completion: 'Dr. Ana Lopez will.' }),
    '{"prompt": broken',
    JSON.stringify({ messages: [{ role: 'user', content: 'MRN 12345678' }, null] }),
    JSON.stringify({ messages: [{ role: 'user', content: 'Seen on 03/14/2023' }, { role: 'assistant', content: 'ok' }] }),
    JSON.stringify({ nothing: 1 }),
  ];
  const scan = scanLines(texts);
  assert.deepEqual([...scan.formats].map((c) => c > 0), [true, false, false, true, false]);
  const lookup = new PhiScanLookup(scan);
  assert.deepEqual(lookup.findings(0, 'prompt_completion', ['prompt']), detectPhi('Call 617-555-0142.'));
  assert.deepEqual(lookup.findings(0, 'prompt_completion', ['completion']), detectPhi('Dr. Ana Lopez will.'));
  assert.ok(detectPhi('Dr. Ana Lopez will.').length > 0);
  assert.deepEqual(lookup.findings(3, 'messages', ['messages', 0, 'content']), detectPhi('Seen on 03/14/2023'));
  assert.deepEqual(lookup.findings(3, 'messages', ['messages', 1, 'content']), []);
  assert.equal(lookup.findings(0, 'text', ['text']), undefined);
  assert.equal(lookup.findings(1, 'prompt_completion', ['prompt']), undefined);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('worker threads only on idle cores, never all of them, and not for small files', () => {
  const big = 200 * 1024 * 1024;
  assert.equal(defaultPhiThreads(big, 1, 0), 0);
  assert.equal(defaultPhiThreads(big, 2, 0.3), 1);
  assert.equal(defaultPhiThreads(big, 2, 1.2), 0);
  assert.equal(defaultPhiThreads(big, 8, 2.5), 5);
  assert.equal(defaultPhiThreads(big, 8, 0), 7);
  assert.equal(defaultPhiThreads(1024 * 1024, 8, 0), 0);
  assert.equal(defaultPhiThreads(16 * 1024 * 1024, 8, 0), 0);
  assert.equal(defaultPhiThreads(32 * 1024 * 1024, 8, 0), 7);
  assert.equal(defaultPhiThreads(undefined, 8, 0), 7);
});

test('busy cores are counted now, not as a lagging average: on Linux the runnable threads other than this one', () => {
  const busy = busyCores();
  assert.ok(busy >= 0, String(busy));
  // A count of threads, not the load average's fraction (which the parse failing would fall back to).
  if (fs.existsSync('/proc/loadavg')) assert.ok(Number.isInteger(busy), `${busy} from ${fs.readFileSync('/proc/loadavg', 'utf8')}`);
});
