#!/usr/bin/env node
// Deterministic generator of the synthetic sample datasets (no real patients, nothing from MIMIC): every file
// under datasets-sample/{uti,triage,reasoning,summarization,policy,phi,defects} comes from here with a fixed seed.
//   node datasets-sample/generate.mjs            rewrite the committed files
//   node datasets-sample/generate.mjs --check    exit 1 if a committed file differs from what would be written
import fs from 'node:fs';
import path from 'node:path';
import { tasks } from './generator/tasks.mjs';
import { phiSet } from './generator/phi.mjs';
import { defects } from './generator/defects.mjs';
import { policyFiles } from './generator/policy.mjs';
import { rng } from './generator/random.mjs';

const root = path.dirname(new URL(import.meta.url).pathname);
const check = process.argv.includes('--check');
let differ = 0;

function write(rel, content) {
  const file = path.join(root, rel);
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  if (check) {
    if (!fs.existsSync(file) || !fs.readFileSync(file).equals(buf)) {
      console.error(`differs: ${rel}`);
      differ++;
    }
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, buf);
  fs.renameSync(tmp, file);
}

const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

const taskFiles = tasks();
for (const [rel, rows] of Object.entries(taskFiles)) write(rel, jsonl(rows));
const triageMessages = Object.entries(taskFiles)
  .filter(([rel]) => rel.startsWith('triage/'))
  .flatMap(([, rows]) => rows.flatMap((row) => [...(row.messages ?? []), ...(row.prompt ?? [])].filter((m) => m.role === 'user').map((m) => m.content)));
for (const [rel, rows] of Object.entries(policyFiles(rng, triageMessages))) write(rel, jsonl(rows));
write('phi/phi-labelled.jsonl', jsonl(phiSet()));
const expected = {};
for (const d of defects()) {
  write(`defects/${d.file}`, d.content);
  expected[d.file] = d.expect;
}
write('defects/expected.json', JSON.stringify(expected, null, 2) + '\n');

if (check) {
  console.log(differ ? `${differ} file(s) differ` : 'all sample files are up to date');
  process.exit(differ ? 1 : 0);
} else console.log('sample datasets written');
