// `clinical-ft eval` logic on a tiny engine model: classification vs free text, per-example outputs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../../src/trainer/backend';
import { loadModel } from '../../../src/trainer/engine';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { runEval } from '../../../src/trainer/eval/runEval';
import { generationPrompt } from '../../../src/core/prompt/recordSegments';
import { classificationLabels } from '../../../src/core/datasets/recordSummary';
import { answerBudget } from '../../../src/core/evalMetrics';
import { chatml, sftRecord } from './mockModel';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-eval-'));
const modelDir = path.join(tmp, 'model');

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  await initBackend('cpu');
  await writeTinyModel(modelDir, { hidden: 32, layers: 1, heads: 4, kvHeads: 2, intermediate: 64, seed: 9 });
});

function jsonl(name: string, rows: unknown[]): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return f;
}

test('eval prompts are rendered exactly as in training; one classification rule; one answer budget', () => {
  const chat = sftRecord({ messages: [{ role: 'user', content: 'Fever?' }, { role: 'assistant', content: 'admit' }] });
  assert.equal(generationPrompt(chat, chatml), '<|user|>\nFever?<|end|>\n<|assistant|>\n');
  assert.equal(generationPrompt(chat, undefined), '### User:\nFever?\n\n### Assistant:\n');
  assert.equal(generationPrompt(sftRecord({ prompt: 'Q:', completion: ' a' }), chatml), 'Q:', 'standard prompt-completion is fed as it is');
  assert.equal(generationPrompt(sftRecord({ text: 'x' }), chatml), undefined);
  assert.deepEqual(classificationLabels(['a', 'b', 'a', 'b', 'a', 'b']), [{ label: 'a', count: 3 }, { label: 'b', count: 3 }]);
  assert.equal(classificationLabels(Array.from({ length: 6 }, (_, i) => `summary ${i}`)), null, 'every answer distinct: free text');
  assert.equal(classificationLabels(['a', 'a', null, null]), null, 'long answers: free text');
  assert.equal(answerBudget([3, 40]), 56);
  assert.equal(answerBudget([2000]), 512);
});

test('classification eval writes metrics.json and outputs.jsonl with each answer', { timeout: 120_000 }, async () => {
  const m = await loadModel(modelDir);
  try {
    const data = jsonl('cls.jsonl', Array.from({ length: 6 }, (_, i) => ({ id: `n${i}`, prompt: `Note ${i}. Triage:`, completion: i % 2 ? ' urgent' : ' routine' })));
    const out = path.join(tmp, 'cls-out');
    const s = await runEval(m, data, out, { maxNewTokens: 4 });
    assert.equal(s.task, 'classification');
    assert.equal(s.count, 6);
    const c = s.classification!;
    assert.ok(c.accuracy >= 0 && c.accuracy <= 1);
    assert.equal(c.perClass.filter((k) => k.support > 0).length, 2);
    const outputs = fs.readFileSync(path.join(out, 'outputs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(outputs.length, 6);
    assert.equal(outputs[0].id, 'n0');
    assert.equal(typeof outputs[0].output, 'string');
    assert.ok('predicted_label' in outputs[0]);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { task: string };
    assert.equal(metrics.task, 'classification');
    const free = jsonl('free.jsonl', Array.from({ length: 3 }, (_, i) => ({ prompt: `Summarise ${i}:`, completion: `patient ${i} stable, discharged home` })));
    const f = await runEval(m, free, path.join(tmp, 'free-out'), { maxNewTokens: 6 });
    assert.equal(f.task, 'free_text');
    assert.ok(f.rougeL!.fmeasure >= 0 && f.rougeL!.fmeasure <= 1);
  } finally {
    m.model.dispose();
  }
});
