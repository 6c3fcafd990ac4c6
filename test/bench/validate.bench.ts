// Validation throughput and memory: a generated 200 MB SFT file (clinical-style prompt/completion records with
// numbers and a few PHI-like strings) through the real CLI, `node dist/trainer.js validate FILE --json`, in its
// own process (wall time, CPU time and peak RSS from /usr/bin/time), next to `jq -c . FILE >/dev/null` on the same
// file, in turns (BENCH_VALIDATE_ROUNDS, default 3) with the load average before each: the machine may be shared.
// Also the in-process validateFile with the PHI scan in worker threads, in this thread, and without it. Build first
// (npm run bench does).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateFile } from '../../src/core/node/validateFile';
import { defaultPhiThreads } from '../../src/core/node/phiScanPool';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const TARGET_BYTES = Number(process.env.BENCH_VALIDATE_MB ?? 200) * 1024 * 1024;

function generate(file: string): number {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let i = 0;
  const conditions = ['urinary tract infection', 'community-acquired pneumonia', 'heart failure exacerbation', 'cellulitis', 'COPD exacerbation', 'pyelonephritis'];
  try {
    while (bytes < TARGET_BYTES) {
      const lines: string[] = [];
      for (let k = 0; k < 1000; k++, i++) {
        const c = conditions[i % conditions.length];
        const prompt =
          `Summarize the note. Case ${i}: ${18 + (i % 70)}-year-old admitted with ${c}. Temperature ${37 + (i % 30) / 10} C, heart rate ${60 + (i % 50)}, ` +
          `blood pressure ${100 + (i % 60)}/${60 + (i % 30)}, WBC ${4 + (i % 14)}.${i % 10}, creatinine ${(0.6 + (i % 20) / 10).toFixed(1)} mg/dL. ` +
          `Treated with ceftriaxone 1 g daily for ${2 + (i % 6)} days, then oral antibiotics. Discharged home in stable condition with follow-up in one week. ` +
          (i % 500 === 0 ? 'Call the clinic at 617-555-0142 with questions. ' : '') +
          `Hospital course was notable for improving symptoms and normal oxygen saturation on room air by day ${1 + (i % 4)}.`;
        const completion = ` Admitted for ${c}, treated with ceftriaxone then oral antibiotics for ${2 + (i % 6)} days; stable at discharge; follow-up in one week (case ${i}).`;
        lines.push(JSON.stringify({ id: `r${i}`, prompt, completion }));
      }
      const buf = Buffer.from(lines.join('\n') + '\n');
      fs.writeSync(fd, buf);
      bytes += buf.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** Runs a shell command under /usr/bin/time: wall seconds, CPU seconds (user + system) and peak RSS in MB (undefined without /usr/bin/time). */
function timed(command: string): { seconds: number; cpu?: number; rssMB?: number; status: number | null } {
  const hasTime = fs.existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', hasTime ? `/usr/bin/time -f '%M %U %S' ${command}` : command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const [kb, user, sys] = hasTime ? (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : [NaN, NaN, NaN];
  return { seconds, cpu: Number.isFinite(user + sys) ? user + sys : undefined, rssMB: Number.isFinite(kb) ? kb / 1024 : undefined, status: r.status };
}

const load = () => os.loadavg()[0].toFixed(1);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-bench-validate-'));
  const file = path.join(dir, 'big.sft.jsonl');
  // The machine may be shared: validate and jq run in turns, several times, each with the load average before it.
  const rounds = Number(process.env.BENCH_VALIDATE_ROUNDS ?? 3);
  try {
    const mb = generate(file) / 1024 / 1024;
    const rate = (s: number) => `${(mb / s).toFixed(1)} MB/s`;
    const rss = (x?: number) => (x === undefined ? 'n/a' : `${x.toFixed(0)} MB`);
    const cpu = (x?: number) => (x === undefined ? '' : `, CPU ${x.toFixed(2)} s`);
    console.log(`file: ${mb.toFixed(0)} MB of SFT prompt/completion records (${os.cpus().length} CPUs, ${defaultPhiThreads(fs.statSync(file).size)} PHI scan worker threads beside the main one by default at this load, load ${load()})`);

    const trainer = path.join(root, 'dist', 'trainer.js');
    const jq = spawnSync('sh', ['-c', 'command -v jq'], { encoding: 'utf8' }).stdout.trim();
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const before = load();
      const cli = timed(`"${process.execPath}" "${trainer}" validate "${file}" --json > "${path.join(dir, 'out.json')}"`);
      const out = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as { records: number; errors: unknown[]; warnings: unknown[] };
      console.log(
        `[${round}] clinical-ft validate --json (schema, roles, duplicates, PHI) at load ${before}: ${cli.seconds.toFixed(2)} s = ${rate(cli.seconds)}${cpu(cli.cpu)}, peak RSS ${rss(cli.rssMB)} — ${out.records} records, ${out.errors.length} errors, ${out.warnings.length} warnings (exit ${cli.status})`,
      );
      if (!jq) continue;
      const jqBefore = load();
      const j = timed(`"${jq}" -c . "${file}" > /dev/null`);
      ratios.push(j.seconds / cli.seconds);
      console.log(`[${round}] jq -c . FILE >/dev/null at load ${jqBefore}: ${j.seconds.toFixed(2)} s = ${rate(j.seconds)}${cpu(j.cpu)}, peak RSS ${rss(j.rssMB)}; validate/jq throughput ratio ${(j.seconds / cli.seconds).toFixed(2)}`);
    }
    if (!jq) console.log('jq not installed: no comparison (apt-get install -y jq)');
    else console.log(`validate/jq throughput ratio per round: ${ratios.map((r) => r.toFixed(2)).join(', ')} (best ${Math.max(...ratios).toFixed(2)})`);

    // The default follows the load average (no workers when no core is idle): both ways, whatever the load.
    for (const threads of [0, Math.max(1, os.availableParallelism() - 1)]) {
      const before = load();
      const r = timed(`"${process.execPath}" "${trainer}" validate "${file}" --json --threads ${threads} > /dev/null`);
      console.log(`clinical-ft validate --json --threads ${threads} at load ${before}: ${r.seconds.toFixed(2)} s = ${rate(r.seconds)}${cpu(r.cpu)}, peak RSS ${rss(r.rssMB)} (exit ${r.status})`);
    }

    const idle = timed(`"${process.execPath}" "${trainer}" validate "${path.join(root, 'datasets-sample/uti/uti.eval.sft.jsonl')}" --json > /dev/null`);
    console.log(`  (the same CLI on a 40 KB file: peak RSS ${rss(idle.rssMB)} — the bundle's own baseline)`);

    const workers = { script: path.join(root, 'dist', 'phiScanWorker.js'), threads: Math.max(1, os.availableParallelism() - 1) };
    for (const [label, opts] of [
      [`with the PHI scan in ${workers.threads} worker threads`, { phiWorkers: workers }],
      ['with the PHI scan in this thread', {}],
      ['without the PHI scan', { phi: false }],
    ] as const) {
      const before = load();
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await validateFile(file, opts);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      console.log(`in-process validateFile ${label} at load ${before}: ${s.toFixed(2)} s = ${rate(s)}, CPU of this process ${((c.user + c.system) / 1e6).toFixed(2)} s`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
