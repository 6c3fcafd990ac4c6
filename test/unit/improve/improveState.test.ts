// The improve flow's state file: it survives a round trip, a corrupt or foreign file is reported (never
// thrown) and replaced by a fresh state, and the next step is computed from the files on disk — label counts
// from the pairs file, the export compared with the labels, the preference run's status from its run.json.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IMPROVE_STEPS, newImproveState, nextStep, progressSummary, recordStep, stepViews, type ImproveState } from '../../../src/core/improve/improveState';
import { improveFactsFingerprint, improveStateFile, readImproveFacts, readImproveState, writeImproveState } from '../../../src/core/node/improveFiles';
import { exportedFileText, exportLabeledPairs } from '../../../src/core/labels/exportPairs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-improve-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A runs folder with one SFT run folder in it. */
function sftRun(): { dir: string; id: string; runs: string } {
  const runs = path.join(tmp, `ws-${++n}`, 'runs');
  const id = '20261201-001500-sft';
  const dir = path.join(runs, id);
  fs.mkdirSync(dir, { recursive: true });
  return { dir, id, runs };
}

const pair = (i: number, label?: string) =>
  JSON.stringify({ id: `p${i}`, prompt: `Advice ${i}:`, chosen: ` rest ${i}`, rejected: ` walk ${i}`, ...(label ? { meta: { label, annotator: 'dr a' } } : {}) });

function writeRunJson(dir: string, status: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const record = { id: path.basename(dir), config: { method: 'dpo', model: '/m', data: '/d.dpo.jsonl', steps: 2 }, status, versions: {}, startedAt: new Date().toISOString() };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
}

test('the state file round-trips through the atomic write, leaving no temporary behind', () => {
  const { dir, id } = sftRun();
  const state = recordStep(recordStep(newImproveState(id), { step: 'generate', prompts: '/w/q.sft.jsonl', pairs: '/w/q.candidates.prefs.jsonl' }), { step: 'export', exported: '/w/q.candidates.dpo.jsonl' });
  writeImproveState(dir, state);
  const read = readImproveState(dir);
  assert.ok(read.ok);
  assert.equal(read.fresh, false);
  assert.deepEqual(read.state, state);
  assert.deepEqual(fs.readdirSync(dir), ['improve.json']);
});

test('file pointers are stored relative to the run folder: a moved workspace keeps its flow; old absolute pointers still read', () => {
  const { dir, id, runs } = sftRun();
  const ws = path.dirname(runs);
  const file = (name: string) => path.join(ws, 'data', name);
  const generated = recordStep(newImproveState(id), { step: 'generate', prompts: file('q.sft.jsonl'), pairs: file('q.candidates.prefs.jsonl') });
  const state = recordStep(generated, { step: 'compare', dataset: file('q.eval.sft.jsonl') });
  writeImproveState(dir, state);
  const onDisk = JSON.parse(fs.readFileSync(improveStateFile(dir), 'utf8'));
  assert.equal(onDisk.pairs, '../../data/q.candidates.prefs.jsonl');
  const moved = `${ws}-moved`;
  fs.renameSync(ws, moved);
  const read = readImproveState(path.join(moved, 'runs', id));
  assert.equal(read.state.pairs, path.join(moved, 'data', 'q.candidates.prefs.jsonl'));
  assert.equal(read.state.prompts, path.join(moved, 'data', 'q.sft.jsonl'));
  assert.equal(read.state.compared?.dataset, path.join(moved, 'data', 'q.eval.sft.jsonl'));
  // A state file written with absolute pointers (before they were relative) reads as it was.
  fs.writeFileSync(improveStateFile(path.join(moved, 'runs', id)), JSON.stringify({ ...onDisk, pairs: '/elsewhere/p.prefs.jsonl' }));
  assert.equal(readImproveState(path.join(moved, 'runs', id)).state.pairs, '/elsewhere/p.prefs.jsonl');
});

test('a missing file is a fresh start; a corrupt, misshapen or foreign file is reported with a clear message, not thrown', () => {
  const { dir, id } = sftRun();
  const missing = readImproveState(dir);
  assert.ok(missing.ok && missing.fresh);
  assert.deepEqual(IMPROVE_STEPS.map((s) => s), ['generate', 'label', 'export', 'train', 'compare']);
  assert.equal(nextStep(stepViews(missing.state, readImproveFacts(dir, missing.state))), 'generate');

  fs.writeFileSync(improveStateFile(dir), '{"version":1,"sftRun":"x"'); // torn write of an older version
  const torn = readImproveState(dir);
  assert.equal(torn.ok, false);
  assert.match(!torn.ok ? torn.message : '', /improve\.json is not valid JSON/);
  assert.deepEqual(torn.state.sftRun, id);

  fs.writeFileSync(improveStateFile(dir), JSON.stringify({ version: 1, sftRun: id, method: 'ppo', updatedAt: 'now' }));
  const bad = readImproveState(dir);
  assert.match(!bad.ok ? bad.message : '', /field "method"/);

  fs.writeFileSync(improveStateFile(dir), JSON.stringify({ version: 1, sftRun: 'another-run', updatedAt: 'now' }));
  assert.match((r => (!r.ok ? r.message : ''))(readImproveState(dir)), /belongs to run another-run/);

  fs.rmSync(improveStateFile(dir));
  fs.mkdirSync(improveStateFile(dir));
  assert.match((r => (!r.ok ? r.message : ''))(readImproveState(dir)), /not a regular file/);
});

test('the facts fingerprint changes with every file the facts are read from, and only then', () => {
  const { dir, id, runs } = sftRun();
  const pairs = path.join(tmp, `fp-${n}.prefs.jsonl`);
  const exported = pairs.replace(/\.prefs\.jsonl$/, '.dpo.jsonl');
  fs.writeFileSync(pairs, pair(1) + '\n');
  const state = recordStep(recordStep(recordStep(newImproveState(id), { step: 'generate', prompts: '/w/q.txt', pairs }), { step: 'export', exported }), { step: 'train', method: 'dpo', preferenceRun: '20261201-004000-dpo' });
  const seen = new Set<string>();
  const fresh = (what: string) => {
    const f = improveFactsFingerprint(dir, state);
    assert.equal(improveFactsFingerprint(dir, state), f, 'nothing changed');
    assert.ok(!seen.has(f), `${what} changes the fingerprint`);
    seen.add(f);
  };
  // Same size, later modification time (file timestamps can be coarser than two quick writes).
  const touch = (file: string, text: string) => {
    fs.writeFileSync(file, text);
    fs.utimesSync(file, new Date(), new Date(Date.now() + seen.size * 1000));
  };
  fresh('the start');
  touch(pairs, pair(1, 'A') + '\n');
  fresh('a label');
  touch(pairs, pair(1, 'B') + '\n');
  fresh('a changed label of the same size');
  touch(exported, 'x\n');
  fresh('the export appearing');
  writeRunJson(path.join(runs, '20261201-004000-dpo'), 'running');
  fresh('the preference run appearing');
  touch(path.join(runs, '20261201-004000-dpo', 'run.json'), fs.readFileSync(path.join(runs, '20261201-004000-dpo', 'run.json'), 'utf8').replace('running', 'complet'));
  fresh('its status changing');
});

test('the next step follows the files: labels counted from the pairs file, the export checked against them, the run status read', () => {
  const { dir, id, runs } = sftRun();
  const pairs = path.join(tmp, `pairs-${n}.prefs.jsonl`);
  fs.writeFileSync(pairs, [pair(1, 'A'), pair(2), pair(3, 'tie'), pair(4)].join('\n') + '\n');
  let state: ImproveState = recordStep(newImproveState(id), { step: 'generate', prompts: '/w/q.txt', pairs });
  const next = () => nextStep(stepViews(state, readImproveFacts(dir, state)));

  assert.deepEqual(readImproveFacts(dir, state).labels, { labeled: 2, total: 4 });
  assert.equal(next(), 'label');
  assert.equal(progressSummary(state, readImproveFacts(dir, state)), '2 of 4 pairs labeled');
  // Unsaved labels of an open labeler count (they are what an export would read).
  const unsaved = [pair(1, 'A'), pair(2, 'B'), pair(3, 'tie'), pair(4, 'both_bad')].join('\n') + '\n';
  assert.deepEqual(readImproveFacts(dir, state, unsaved).labels, { labeled: 4, total: 4 });

  fs.writeFileSync(pairs, unsaved);
  assert.equal(next(), 'export');
  const exported = pairs.replace(/\.prefs\.jsonl$/, '.dpo.jsonl');
  fs.writeFileSync(exported, exportedFileText(exportLabeledPairs(unsaved).lines));
  state = recordStep(state, { step: 'export', exported });
  assert.equal(next(), 'train');

  // A label changed after the export: the export is stale, so exporting is next again (and says why).
  fs.writeFileSync(pairs, [pair(1, 'B'), pair(2, 'B'), pair(3, 'tie'), pair(4, 'both_bad')].join('\n') + '\n');
  assert.equal(next(), 'export');
  assert.match(stepViews(state, readImproveFacts(dir, state))[2].detail, /labels changed since the export/);
  fs.writeFileSync(pairs, unsaved);

  state = recordStep(state, { step: 'train', method: 'dpo', preferenceRun: '20261201-003000-dpo' });
  assert.equal(next(), 'train', 'a run without a folder is not done');
  writeRunJson(path.join(runs, '20261201-003000-dpo'), 'failed');
  assert.equal(next(), 'train', 'a failed run leaves the flow at train');
  assert.match(stepViews(state, readImproveFacts(dir, state))[3].detail, /DPO run 20261201-003000-dpo: failed/);
  writeRunJson(path.join(runs, '20261201-003000-dpo'), 'completed');
  assert.equal(next(), 'compare');

  state = recordStep(state, { step: 'compare', dataset: '/w/uti.eval.sft.jsonl' });
  const views = stepViews(state, readImproveFacts(dir, state));
  assert.ok(views.every((v) => v.done));
  assert.equal(nextStep(views), 'compare', 'comparing again stays possible');

  // Redoing generation drops what later steps made from the old pairs.
  const redone = recordStep(state, { step: 'generate', prompts: '/w/q.txt', pairs: '/w/other.prefs.jsonl' });
  assert.equal(redone.exported, undefined);
  assert.equal(redone.preferenceRun, undefined);
  assert.equal(redone.compared, undefined);
  // The pairs file deleted: back to generating.
  fs.rmSync(pairs);
  assert.equal(next(), 'generate');
});
