// PHI detection measured on text this project did not write: recall per Safe Harbor kind and false alarms on
// two public labelled sets installed from PyPI by scripts/phiSets.sh (never committed), beside the project's own
// labelled set — and the detector's throughput on clinical text against jq on the same bytes.
//   presidio       presidio-evaluator's generator (MIT): its templates filled from its fake-person records, seed
//                  42. Split by template: the "tune" half was looked at while building the detectors, the "test"
//                  half only here — the test figures are the ones to quote.
//   scrubadub      scrubadub's evaluation-document generator (MIT): Faker's English filler text with en_US and en_GB
//                  identifiers dropped in at random places, no cue words. Split by seed: even "tune",
//                  odd "test" — the same rule as presidio's: tune on the first, quote the second.
//   i2b2-philter   the i2b2 2014 de-identification notes with gold tags that philter-ucsf (BSD) ships.
// Targets (issue 17): recall >= 0.90 over the Safe Harbor kinds per set; at most 1 false alarm in 10 findings.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scoreSet, printScore, overallRecall, type LabelledRecord, type SetScore } from './phi/externalScore';
import { detectPhi } from '../../src/core/phi/detectors';
import { printNlpNames } from './phi/nlpNames';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

function externalSets(): string | undefined {
  const r = spawnSync('bash', [path.join(root, 'scripts/phiSets.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    console.log(`scripts/phiSets.sh failed (exit ${r.status}): no external sets (needs python3-venv and PyPI)`);
    return undefined;
  }
  return r.stdout.trim().split('\n').pop();
}

function throughput(): void {
  // The clinical-style records of the validate bench (test/bench/validate.bench.ts), 20 MB of them.
  const conditions = ['urinary tract infection', 'community-acquired pneumonia', 'heart failure exacerbation', 'cellulitis', 'COPD exacerbation', 'pyelonephritis'];
  const texts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < 20 * 1024 * 1024; i++) {
    const c = conditions[i % conditions.length];
    const t =
      `Summarize the note. Case ${i}: ${18 + (i % 70)}-year-old admitted with ${c}. Temperature ${37 + (i % 30) / 10} C, heart rate ${60 + (i % 50)}, ` +
      `blood pressure ${100 + (i % 60)}/${60 + (i % 30)}, WBC ${4 + (i % 14)}.${i % 10}, creatinine ${(0.6 + (i % 20) / 10).toFixed(1)} mg/dL. ` +
      `Treated with ceftriaxone 1 g daily for ${2 + (i % 6)} days, then oral antibiotics. Discharged home in stable condition with follow-up in one week. ` +
      (i % 500 === 0 ? 'Call the clinic at 617-555-0142 with questions. ' : '') +
      `Hospital course was notable for improving symptoms and normal oxygen saturation on room air by day ${1 + (i % 4)}.`;
    texts.push(t);
    bytes += Buffer.byteLength(t);
  }
  detectPhi('warm up Sara Schwarz');
  const t0 = process.hrtime.bigint();
  for (const t of texts) detectPhi(t);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const mb = bytes / 1024 / 1024;
  let line = `detectPhi on ${mb.toFixed(0)} MB of clinical-style text: ${(mb / s).toFixed(1)} MB/s`;
  const jq = spawnSync('sh', ['-c', 'command -v jq'], { encoding: 'utf8' }).stdout.trim();
  if (jq) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cft-phi-bench-')), 'texts.jsonl');
    fs.writeFileSync(file, texts.map((t) => JSON.stringify({ text: t })).join('\n') + '\n');
    const j0 = process.hrtime.bigint();
    spawnSync(jq, ['-c', '.', file], { stdio: ['ignore', 'ignore', 'ignore'] });
    const js = Number(process.hrtime.bigint() - j0) / 1e9;
    line += `; jq -c . on the same records: ${(fs.statSync(file).size / 1024 / 1024 / js).toFixed(1)} MB/s`;
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  console.log(`${line} (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs; the full CLI against jq: npm run bench -- validate)`);
}

function main(): void {
  const examples = Number(process.env.BENCH_PHI_EXAMPLES ?? 0);
  const own = readJsonl<{ text: string; meta: { phi: { start: number; end: number; category: string }[] } }>(path.join(root, 'datasets-sample/phi/phi-labelled.jsonl'));
  const ownRecords: LabelledRecord[] = own.map((r) => ({ text: r.text, spans: r.meta.phi.map((s) => ({ start: s.start, end: s.end, type: OWN_TYPES[s.category] ?? s.category })) }));
  printScore('own labelled set (written by this project)', scoreSet(ownRecords, { examples }));
  const dir = externalSets();
  if (dir) {
    const splitSets: Record<string, (LabelledRecord & { split: string })[]> = {};
    for (const set of ['presidio', 'scrubadub']) {
      const records = (splitSets[set] = readJsonl<LabelledRecord & { split: string }>(path.join(dir, `${set}.jsonl`)));
      for (const split of ['test', 'tune']) {
        const s = scoreSet(records.filter((r) => r.split === split), { examples });
        printScore(`${SET_NAMES[set]} ${split} split${split === 'tune' ? ' (tuned on)' : ' (held out: the figures to quote)'}`, s);
        if (split === 'test') printTargets(s);
      }
    }
    const i2b2 = scoreSet(readJsonl<LabelledRecord>(path.join(dir, 'i2b2-philter.jsonl')), { examples });
    printScore('i2b2 2014 notes shipped by philter-ucsf (5 notes: too few to hold a target to)', i2b2);
    printNlpNames(dir, splitSets);
  }
  throughput();
}

const SET_NAMES: Record<string, string> = { presidio: 'presidio-evaluator', scrubadub: 'scrubadub' };

function printTargets(s: SetScore): void {
  console.log(`  target recall >= 0.90: ${overallRecall(s) >= 0.9 ? 'met' : 'NOT met'}; false alarms <= 1 in 10 findings: ${s.falseAlarms * 10 <= s.findings ? 'met' : 'NOT met'}`);
}

/** The own set's categories, as the kinds the external sets are reported in. */
const OWN_TYPES: Record<string, string> = { name: 'person', mrn: 'MEDICALRECORD', ssn: 'ssn', phone: 'phone_number', fax: 'FAX', email: 'email', url: 'url', ip: 'ip_address', date: 'DATE', address: 'address', zip: 'zipcode', age: 'AGE', account: 'ACCOUNT', licence: 'LICENSE' };

main();
