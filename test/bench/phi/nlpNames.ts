// Person names by the NLP libraries issue 17 names (compromise, wink-nlp with its English lite model), measured
// beside this project's name finder on the external sets' tune splits: recall of the person labels, the share of
// name findings that overlap no label, and speed. scripts/phiSets.sh installs the libraries into its cache (not
// into this repository: the extension does not ship them); without them this prints why and skips.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { findPersonNames } from '../../../src/core/phi/personNames';
import { SAFE_HARBOR, type LabelledRecord } from './externalScore';

type Span = { start: number; end: number };
type Finder = (text: string) => Span[];

function libraries(npmDir: string): Record<string, Finder> | string {
  if (!fs.existsSync(path.join(npmDir, 'node_modules/compromise'))) return `compromise / wink-nlp not installed in ${npmDir} (scripts/phiSets.sh installs them with npm)`;
  const req = createRequire(path.join(npmDir, 'package.json'));
  const nlp = req('compromise') as (t: string) => { people(): { json(o: { offset: boolean }): { offset: { start: number; length: number } }[] } };
  const winkNLP = req('wink-nlp') as (m: unknown) => WinkNlp;
  const wink = winkNLP(req('wink-eng-lite-web-model'));
  return {
    compromise: (t) => nlp(t).people().json({ offset: true }).map((p) => ({ start: p.offset.start, end: p.offset.start + p.offset.length })),
    // The lite English model's entity types are numbers, dates, times, e-mails, URLs, mentions…: no PERSON.
    'wink-nlp': (t) => {
      const out: Span[] = [];
      const doc = wink.readDoc(t);
      doc.entities().each((e) => {
        if (e.out(wink.its.type) === 'PERSON') out.push({ start: 0, end: 0 });
      });
      return out;
    },
  };
}

interface WinkNlp {
  readDoc(t: string): { entities(): { each(f: (e: { out(x: unknown): unknown }) => void): void } };
  its: { type: unknown };
}

export function printNlpNames(setsDir: string, sets: Record<string, (LabelledRecord & { split: string })[]>): void {
  const libs = libraries(path.join(path.dirname(setsDir), 'npm'));
  if (typeof libs === 'string') {
    console.log(`names by NLP libraries: ${libs}`);
    return;
  }
  const finders: Record<string, Finder> = { 'this project': findPersonNames, ...libs };
  for (const f of Object.values(finders)) f('warm up: Sara Schwarz called.');
  console.log('person names on the tune splits, this project against the NLP libraries (recall of person labels; name findings on no label; speed):');
  for (const [set, rows] of Object.entries(sets)) {
    const tune = rows.filter((r) => r.split === 'tune');
    for (const [name, find] of Object.entries(finders)) {
      let found = 0;
      let total = 0;
      let findings = 0;
      let stray = 0;
      let bytes = 0;
      const t0 = process.hrtime.bigint();
      const results = tune.map((r) => find(r.text));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;
      tune.forEach((r, i) => {
        bytes += Buffer.byteLength(r.text);
        for (const sp of r.spans) {
          if (SAFE_HARBOR[sp.type] !== 'name') continue;
          total++;
          if (results[i].some((f) => overlaps(f, sp))) found++;
        }
        for (const f of results[i]) {
          findings++;
          if (!r.spans.some((sp) => overlaps(f, sp))) stray++;
        }
      });
      const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
      console.log(`  ${set.padEnd(10)} ${name.padEnd(13)} recall ${pct(found, total).padStart(6)} (${found} / ${total}); ${findings} findings, ${pct(stray, findings)} on no label; ${(bytes / 1024 / 1024 / seconds).toFixed(2)} MB/s`);
    }
  }
}
