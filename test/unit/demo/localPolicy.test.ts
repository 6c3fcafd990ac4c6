// The local-policy part of the demo: the sample encodes Riverbend's policy as written in its README, the scoring
// measures adherence per kind, and the report says which method beats SFT beyond the seed spread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { taskMetrics } from '../../../src/core/compare/taskScoring';
import { taskOfDataset } from '../../../src/core/compare/evalOutput';
import { policyChecksMarkdown, policyGrid, resultsMarkdown, ResultGrid } from '../../../src/trainer/demo/demoReport';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const read = (rel: string) => fs.readFileSync(path.join(root, 'datasets-sample', rel), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const answer = (turns: unknown) => (turns as { content: string }[]).at(-1)!.content;
const userText = (turns: unknown) => (turns as { role: string; content: string }[]).find((m) => m.role === 'user')!.content;

test("Riverbend's pairs encode its policy: refill and lab-result messages prefer the nurse over the generic responder", () => {
  const pairs = read('policy/riverbend.train.dpo.jsonl');
  const generic = read('triage/triage.train.sft.jsonl');
  const genericAnswer = (re: RegExp) => new Set(generic.filter((r) => re.test(userText(r.messages))).map((r) => answer(r.messages)));
  assert.deepEqual([...genericAnswer(/refill of my/)], ['Urgency: routine\nResponder: pharmacist'], 'the SFT split routes refills to the pharmacist');
  assert.deepEqual([...genericAnswer(/cholesterol result/)], ['Urgency: routine\nResponder: physician']);
  const policy = pairs.filter((p) => (p.meta as { policy: string }).policy !== 'safety');
  assert.ok(policy.length >= 100 && pairs.length - policy.length >= 100, `${policy.length} policy pairs of ${pairs.length}`);
  for (const p of policy) assert.equal(answer(p.chosen), 'Urgency: routine\nResponder: nurse');
  assert.ok(policy.every((p) => ['Urgency: routine\nResponder: pharmacist', 'Urgency: routine\nResponder: physician'].includes(answer(p.rejected))));
  const evalSet = read('policy/riverbend.eval.sft.jsonl');
  // Held out means held out: no eval message (policy or control) is a message of any triage file or of the pairs.
  const triageFiles = fs.readdirSync(path.join(root, 'datasets-sample', 'triage')).filter((f) => f.endsWith('.jsonl')).flatMap((f) => read(`triage/${f}`));
  const trainMsgs = new Set([...pairs.map((p) => userText(p.prompt)), ...triageFiles.map((r) => userText(r.messages ?? r.prompt))]);
  assert.deepEqual(evalSet.filter((r) => trainMsgs.has(userText(r.messages))).map((r) => String(r.id)), []);
  assert.deepEqual(['refill', 'lab', 'control'].map((k) => evalSet.filter((r) => String(r.id).includes(`-${k}-`)).length), [24, 24, 12]);
});

test('policy metrics: adherence on the re-routed kinds, controls separately; both lines must be right', () => {
  const nurse = 'Urgency: routine\nResponder: nurse';
  const ex = [
    { key: 'riverbend-eval-refill-001', gold: nurse, output: nurse },
    { key: 'riverbend-eval-lab-001', gold: nurse, output: 'Urgency: routine\nResponder: physician' },
    { key: 'riverbend-eval-lab-002', gold: nurse, output: 'Urgency: urgent\nResponder: nurse' },
    { key: 'riverbend-eval-control-001', gold: 'Urgency: urgent\nResponder: nurse', output: 'Urgency: urgent\nResponder: nurse' },
  ];
  assert.deepEqual(taskMetrics('policy', ex).map((m) => [m.metric, m.value]), [['policyAdherence', 1 / 3], ['policyControls', 1]]);
  assert.equal(taskOfDataset('datasets-sample/policy/riverbend.eval.sft.jsonl'), 'policy');
});

test('policy table: rows base … SimPO; checks name who beats SFT beyond the spread, who is worse, who is within', () => {
  const g = policyGrid();
  g.add('base', 'policyAdherence', 0);
  for (const v of [0.1, 0.2, 0.15]) g.add('SFT', 'policyAdherence', v);
  for (const v of [0.8, 0.9, 0.85]) g.add('KTO', 'policyAdherence', v);
  for (const v of [0.15, 0.3, 0.1]) g.add('DPO', 'policyAdherence', v);
  for (const v of [0.0, 0.01, 0.0]) g.add('SimPO', 'policyAdherence', v);
  const t = g.table();
  assert.deepEqual(t.rows.map((r) => r.model), ['base', 'SFT', 'DPO', 'KTO', 'ORPO', 'SimPO']);
  const lines = policyChecksMarkdown(t).join('\n');
  assert.match(lines, /KTO vs SFT, Local policy adherence: \+0\.700.*beats SFT beyond the spread/);
  assert.match(lines, /DPO vs SFT, Local policy adherence: .*within the spread/);
  assert.match(lines, /SimPO vs SFT, Local policy adherence: .*worse than SFT beyond the spread/);
  const md = resultsMarkdown(new ResultGrid().table(), { model: 'm', seeds: [1, 2, 3], budget: {}, minutes: 1, backend: 'wasm', complete: true }, { table: t, seeds: [1, 2, 3] });
  assert.match(md, /## Local policy \(Riverbend Health/);
});
