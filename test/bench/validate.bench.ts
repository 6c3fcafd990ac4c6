// Validation throughput and memory: a generated 200 MB SFT file (clinical-style prompt/completion records with
// numbers, a few PHI-like strings) through validateFile — the CLI's code path — reporting MB/s and peak RSS,
// next to `jq -c . FILE >/dev/null` on the same file when jq is installed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateFile } from '../../src/core/node/validateFile';

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

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-bench-validate-'));
  const file = path.join(dir, 'big.sft.jsonl');
  try {
    const bytes = generate(file);
    const mb = bytes / 1024 / 1024;
    (globalThis as { gc?: () => void }).gc?.();
    // Warm-up on the first 10% so the JIT has compiled the hot paths before timing.
    await validateFile(fs.createReadStream(file, { end: Math.floor(bytes / 10) }));
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 1024 / 1024)), 20);
    const t0 = process.hrtime.bigint();
    const result = await validateFile(file);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.resourceUsage().maxRSS / 1024);
    console.log(`file: ${mb.toFixed(0)} MB, ${result.records} records, ${result.errors.length} errors, ${result.warnings.length} warnings`);
    console.log(`validateFile (schema + role order + duplicates + PHI scan): ${seconds.toFixed(2)} s = ${(mb / seconds).toFixed(1)} MB/s, peak RSS ${peak.toFixed(0)} MB (before: ${rssBefore.toFixed(0)} MB)`);

    const noPhiStart = process.hrtime.bigint();
    await validateFile(file, { phi: false });
    const noPhi = Number(process.hrtime.bigint() - noPhiStart) / 1e9;
    console.log(`validateFile without the PHI scan: ${noPhi.toFixed(2)} s = ${(mb / noPhi).toFixed(1)} MB/s`);

    const jq = spawnSync('sh', ['-c', 'command -v jq'], { encoding: 'utf8' }).stdout.trim();
    if (jq) {
      const j0 = process.hrtime.bigint();
      const r = spawnSync('sh', ['-c', `"${jq}" -c . "${file}" >/dev/null`]);
      const js = Number(process.hrtime.bigint() - j0) / 1e9;
      console.log(`jq -c . FILE >/dev/null: ${js.toFixed(2)} s = ${(mb / js).toFixed(1)} MB/s (exit ${r.status}); validate/jq throughput ratio ${(js / seconds).toFixed(2)}`);
    } else console.log('jq not installed: no comparison (apt-get install -y jq)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
