import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkLeakage } from '../../../src/core/node/leakage';

test('exact (modulo case and spacing) and near-duplicate eval prompts are reported against the train file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-leak-'));
  const base = 'A 54-year-old woman presents with fever, right flank pain, costovertebral angle tenderness and pyuria after a week of dysuria. What is the most likely diagnosis?';
  const train = [base, 'Crushing chest pain for thirty minutes with ST elevation in the inferior leads. Best next step?', 'Refill request for metformin.'];
  const evals = [base.toUpperCase().replace(/ /g, '  '), base.replace('54-year-old', '61-year-old'), 'Sudden severe headache with neck stiffness in a young man.'];
  const w = (n: string, rows: string[]) => {
    const f = path.join(dir, n);
    fs.writeFileSync(f, rows.map((p) => JSON.stringify({ prompt: p, completion: 'x' })).join('\n') + '\n');
    return f;
  };
  const leaks = await checkLeakage(w('train.jsonl', train), w('eval.jsonl', evals));
  assert.deepEqual(leaks.map((l) => [l.line, l.code]), [
    [1, 'leakage_exact'],
    [2, 'leakage_near'],
  ]);
  assert.match(leaks[0].message, /train\.jsonl line 1/);
});
