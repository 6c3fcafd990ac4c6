// Preference labeling hot paths on a 10,000-record file: the labeler snapshot, one label edit, export,
// agreement, and the diff toggle on long responses. Numbers are printed, never asserted.
import { performance } from 'node:perf_hooks';
import { recordView } from '../../src/host/labeling/recordViews';
import { applyLabelToLine, minimalReplacement } from '../../src/core/labels/lineEdit';
import { exportLabeledPairs } from '../../src/core/labels/exportPairs';
import { annotatorAgreement } from '../../src/core/labels/agreement';
import { wordDiff } from '../../src/core/labels/wordDiff';
import { LabelerHostMessage } from '../../src/core/protocol/labeler';

const N = 10_000;
const words = (n: number, salt: number) => Array.from({ length: n }, (_, i) => `w${(i * 7 + salt) % 97}`).join(' ');
const labels = ['A', 'B', 'tie', 'both_bad'] as const;
const line = (i: number, labeled: boolean, salt = 0) =>
  JSON.stringify({
    id: `r${i}`,
    prompt: [{ role: 'user', content: words(40, i) }],
    chosen: words(120, i + 1),
    rejected: words(120, i + 2),
    ...(labeled ? { meta: { annotator: 'a', label: labels[(i + salt) % 4], rationale: '', time: '2026-01-01T00:00:00Z' } } : {}),
  });

function time<T>(name: string, fn: () => T, unit: 'ms' | 'us' = 'ms', reps = 1): T {
  const t0 = performance.now();
  let r!: T;
  for (let k = 0; k < reps; k++) r = fn();
  const ms = (performance.now() - t0) / reps;
  console.log(`${name}: ${unit === 'us' ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(1)} ms`}`);
  return r;
}

const unlabeled = Array.from({ length: N }, (_, i) => line(i, false));
const text = unlabeled.join('\n');
console.log(`file: ${N} records, ${(text.length / 1e6).toFixed(1)} MB`);
const snapshot = time(`labeler snapshot (${N} record views)`, () => unlabeled.map((l, i) => recordView(l, i)!));
const msg = { type: 'snapshot', fileName: 'x', annotator: 'a', lineCount: N, records: snapshot };
console.log(`snapshot message: ${(JSON.stringify(msg).length / 1e6).toFixed(1)} MB`);
time('webview-side validation of the snapshot', () => LabelerHostMessage.parse(msg));
const upd = { annotator: 'a', label: 'A' as const, time: new Date().toISOString() };
time('one label edit (apply + minimal replacement)', () => minimalReplacement(unlabeled[5], applyLabelToLine(unlabeled[5], upd)), 'us', 1000);
const labeled = Array.from({ length: N }, (_, i) => line(i, true)).join('\n');
time(`export ${N} labeled records`, () => exportLabeledPairs(labeled));
const second = Array.from({ length: N }, (_, i) => line(i, true, i % 5 === 0 ? 1 : 0)).join('\n');
const r = time(`agreement over ${N} shared ids`, () => annotatorAgreement(labeled, second));
console.log(`  kappa ${r.kappa?.toFixed(3)}, ${r.disagreements.length} disagreements`);
time('word diff of two 300-word responses', () => wordDiff(words(300, 1), words(300, 3)), 'ms', 20);
