// The preview's one-pass index: byte offsets that read each record back exactly (BOM, CRLF, multi-byte text),
// lengths, labels, duplicates and PHI lines; plus the stats helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexDataset, readLineAt, readLinesAt } from '../../../src/core/node/datasetIndex';
import { histogram, recordLabel } from '../../../src/core/datasets/recordSummary';

test('row offsets read every record back, whatever the chunking, BOM and line ends', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-index-'));
  const lines = [
    JSON.stringify({ prompt: 'Fièvre et dysurie — café ✓ 😀', completion: ' yes' }),
    JSON.stringify({ prompt: 'Call 617-555-0199 tonight', completion: ' no' }),
    '{"prompt": broken',
    JSON.stringify({ prompt: 'Fièvre et dysurie — café ✓ 😀', completion: ' yes' }),
  ];
  const file = path.join(dir, 'x.jsonl');
  fs.writeFileSync(file, `\ufeff${lines[0]}\r\n\r\n${lines.slice(1).join('\r\n')}\r\n`);
  const index = await indexDataset(file);
  assert.deepEqual(index.rows.map((r) => r.line), [1, 3, 4, 5]);
  for (const [i, r] of index.rows.entries()) assert.equal(await readLineAt(file, r.offset), lines[i]);
  const size = fs.statSync(file).size;
  assert.deepEqual(await readLinesAt(file, index.rows.map((r) => r.offset), size), lines);
  assert.deepEqual(await readLinesAt(file, index.rows.map((r) => r.offset), size, 10), lines, 'per-row fallback');
  assert.deepEqual(await readLinesAt(file, [index.rows[1].offset, index.rows[2].offset], index.rows[3].offset), lines.slice(1, 3));
  assert.deepEqual(index.rows.map((r) => r.label), ['yes', 'no', null, 'yes']);
  assert.match(index.rows[2].error ?? '', /invalid JSON/);
  assert.deepEqual([...index.phiByLine.keys()], [3]);
  assert.deepEqual([...index.duplicateLines], [5]);
  assert.equal(index.lengthUnit, 'characters');
  // Characters of prompt + completion, in UTF-16 units as editors count them (the emoji is 2).
  assert.equal(index.rows[0].length, 'Fièvre et dysurie — café ✓ 😀 yes'.length);
  const tokens = await indexDataset(file, { countTokens: (t) => t.split(/\s+/).length });
  assert.equal(tokens.lengthUnit, 'tokens');
  assert.equal(tokens.rows[1].length, 4);
});

test('histogram bins cover every value; short answers are labels', () => {
  const h = histogram([1, 2, 2, 3, 50], 5);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 5);
  assert.equal(h.edges[0], 1);
  assert.ok(h.edges[h.edges.length - 1] > 50);
  assert.equal(recordLabel({ kind: 'sft', format: 'messages', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'Urgency: urgent\nResponder: nurse' }] }), 'Urgency: urgent\nResponder: nurse');
  assert.equal(recordLabel({ kind: 'sft', format: 'prompt_completion', prompt: 'p', completion: 'x'.repeat(41) }), null);
});
