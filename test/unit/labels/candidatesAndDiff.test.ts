import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidatesFileName, extractPrompts, generateCandidatePairs, type SampleRequest } from '../../../src/core/labels/candidatePairs';
import { wordDiff } from '../../../src/core/labels/wordDiff';
import { parsePrefsLine } from '../../../src/core/labels/prefsRecord';

test('prompts come from prompt, messages, alpaca and text records; bad lines are reported by line', () => {
  const text = [
    '{"id":"x1","prompt":"Summarise the note.","completion":"..."}',
    '{"messages":[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":"a"}]}',
    '{"instruction":"Classify","input":"fever"}',
    '{"text":"free"}',
    'nope',
    '{"foo":1}',
    '{"messages":[{"role":"assistant","content":"a"}]}',
  ].join('\n');
  const r = extractPrompts(text);
  assert.deepEqual(r.prompts, [
    { line: 1, id: 'x1', prompt: 'Summarise the note.' },
    { line: 2, id: 'p2', prompt: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }] },
    { line: 3, id: 'p3', prompt: [{ role: 'user', content: 'Classify\n\nfever' }] },
    { line: 4, id: 'p4', prompt: 'free' },
  ]);
  assert.deepEqual(r.errors.map((e) => e.line), [5, 6, 7]);
  assert.deepEqual(extractPrompts('one\n\n two \n', { plainText: true }).prompts.map((p) => p.prompt), ['one', 'two']);
  assert.equal(candidatesFileName('/d/notes.sft.jsonl'), '/d/notes.candidates.prefs.jsonl');
});

test('two samples per prompt with distinct seeds; identical pairs resampled, then skipped', async () => {
  const calls: SampleRequest[] = [];
  // p1: differs at once; p2: B equals A once, then differs; p3: always the same.
  const sample = async (req: SampleRequest) => {
    calls.push(req);
    if (req.prompt === 'p3') return 'same';
    if (req.prompt === 'p2') return calls.filter((c) => c.prompt === 'p2').length <= 2 ? 'same' : 'other';
    return `out-${req.seed}`;
  };
  const lines: string[] = [];
  const prompts = ['p1', 'p2', 'p3'].map((p, i) => ({ line: i + 1, id: `id${i}`, prompt: p }));
  const s = await generateCandidatePairs(prompts, sample, { temperature: 0.7, baseSeed: 10, maxResamples: 2, model: 'm', onRecord: (l) => void lines.push(l) });
  assert.equal(s.written, 2);
  assert.deepEqual(s.identical, ['id2']);
  const seeds = calls.map((c) => c.seed);
  assert.equal(new Set(seeds.filter((_, i) => calls[i].prompt !== 'p3')).size, seeds.filter((_, i) => calls[i].prompt !== 'p3').length, 'seeds never repeat');
  assert.equal(calls.filter((c) => c.prompt === 'p3').length, 4, 'A + 1 try + 2 resamples');
  const r1 = parsePrefsLine(lines[0], 0);
  assert.ok(r1.kind === 'pair' && r1.label === undefined && r1.a === 'out-10' && r1.b === 'out-11');
  assert.deepEqual(JSON.parse(lines[1]).meta.generator.seeds, [12, 13 + 6]);
});

test('an empty answer is resampled on either side (it could not be trained on); a prompt answered only with nothing is reported, not thrown', async () => {
  // e1: A empty at first; e2: B empty at first; e3: always empty, and first, so it must not end the generation.
  const calls: SampleRequest[] = [];
  const sample = async (req: SampleRequest) => {
    calls.push(req);
    const nth = calls.filter((c) => c.prompt === req.prompt).length;
    if (req.prompt === 'e3') return ' ';
    if (req.prompt === 'e1' && nth === 1) return '';
    if (req.prompt === 'e2' && nth === 2) return '\n';
    return `${req.prompt}-${req.seed}`;
  };
  const lines: string[] = [];
  const prompts = ['e3', 'e1', 'e2'].map((p, i) => ({ line: i + 1, id: p, prompt: p }));
  const s = await generateCandidatePairs(prompts, sample, { temperature: 0.7, baseSeed: 0, maxResamples: 2, model: 'm', onRecord: (l) => void lines.push(l) });
  assert.equal(s.written, 2);
  assert.deepEqual(s.failed.map((f) => f.id), ['e3']);
  assert.match(s.failed[0].error, /empty response/);
  for (const l of lines) {
    const r = parsePrefsLine(l, 0);
    assert.ok(r.kind === 'pair' && typeof r.a === 'string' && typeof r.b === 'string' && r.a.trim() !== '' && r.b.trim() !== '', l);
  }
});

test('cancellation stops between prompts and chat prompts get assistant-turn candidates', async () => {
  let n = 0;
  const out: string[] = [];
  const s = await generateCandidatePairs(
    [{ line: 1, id: 'c', prompt: [{ role: 'user', content: 'hi' }] }, { line: 2, id: 'd', prompt: 'x' }],
    async (r) => `r${r.seed}`,
    { temperature: 1, baseSeed: 0, maxResamples: 0, model: 'm', isCancelled: () => n > 0, onRecord: (l) => { n++; out.push(l); } },
  );
  assert.equal(s.cancelled, true);
  assert.equal(s.written, 1);
  assert.deepEqual(JSON.parse(out[0]).chosen, [{ role: 'assistant', content: 'r0' }]);
});

test('word diff marks only the differing words on each side', () => {
  const d = wordDiff('Start amoxicillin 500 mg today.', 'Start amoxicillin 250 mg today.');
  assert.deepEqual(d.left.filter((p) => p.kind === 'only').map((p) => p.text), ['500']);
  assert.deepEqual(d.right.filter((p) => p.kind === 'only').map((p) => p.text), ['250']);
  assert.equal(d.left.map((p) => p.text).join(''), 'Start amoxicillin 500 mg today.');
  assert.equal(d.right.map((p) => p.text).join(''), 'Start amoxicillin 250 mg today.');
  const e = wordDiff('', 'new text');
  assert.deepEqual(e.right, [{ text: 'new text', kind: 'only' }]);
});

test('a failing sample is retried with fresh seeds; a prompt failing throughout is skipped, unless it is the first', async () => {
  const prompts = ['ok', 'flaky', 'broken'].map((p, i) => ({ line: i + 1, id: p, prompt: p }));
  let flakyCalls = 0;
  const sample = async (r: SampleRequest) => {
    if (r.prompt === 'broken') throw new Error('token_ids must be a non-empty array');
    if (r.prompt === 'flaky' && flakyCalls++ === 0) throw new Error('empty generation');
    return `${r.prompt}-${r.seed}`;
  };
  const lines: string[] = [];
  const s = await generateCandidatePairs(prompts, sample, { temperature: 1, baseSeed: 0, maxResamples: 2, model: 'm', onRecord: (l) => void lines.push(l) });
  assert.equal(s.written, 2);
  assert.deepEqual(s.failed, [{ id: 'broken', error: 'token_ids must be a non-empty array' }]);
  // flaky: seed 2 failed, its retry seed 2 + 2·3 = 8 succeeded as candidate A.
  assert.deepEqual(JSON.parse(lines[1]).meta.generator.seeds, [8, 3]);
  await assert.rejects(
    generateCandidatePairs([prompts[2], prompts[0]], sample, { temperature: 1, baseSeed: 0, maxResamples: 1, model: 'm' }),
    /token_ids must be a non-empty array/,
  );
});
