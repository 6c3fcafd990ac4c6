// The preference labeler: what each pane shows (the display order decides which candidate is on the left),
// what a key press asks the host to write, and malformed lines left alone. Expected labels are written out
// by hand, never computed with the product's own mapping.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { LabelerHostMessage, type RecordView } from '../../src/core/protocol/labeler';
import { closeBrowser, openPanel } from './panelPage';

after(closeBrowser);

const snapshot = {
  type: 'snapshot' as const,
  fileName: 'uti.prefs.jsonl',
  annotator: 'dr-a',
  lineCount: 3,
  records: [
    // Shown B-then-A: the left pane must show candidate b.
    { kind: 'pair' as const, line: 0, hash: 11, id: 'p1', prompt: 'Dysuria for two days. Next step?', a: 'Start nitrofurantoin.', b: 'Order a CT of the abdomen.', order: 'BA' as const },
    { kind: 'pair' as const, line: 1, hash: 22, prompt: [{ role: 'user' as const, content: 'Fever and flank pain?' }], a: [{ role: 'assistant' as const, content: 'Suspect pyelonephritis.' }], b: [{ role: 'assistant' as const, content: 'Probably a cold.' }], order: 'AB' as const, label: 'A' as const, annotator: 'dr-b', time: '2026-11-01T10:00:00Z' },
    { kind: 'malformed' as const, line: 2, hash: 33, error: 'line 3: field "chosen" is missing', text: '{"prompt": "x"' },
  ],
};

test('each pane shows the candidate the display order puts there; key 1 labels the left one', async () => {
  const p = await openPanel('labeler', LabelerHostMessage);
  await p.send(snapshot);
  assert.deepEqual(await p.texts('#position'), ['Record 1 of 3']);
  assert.deepEqual(await p.texts('#progress'), ['1 / 2 labeled']);
  assert.deepEqual(await p.texts('.record-id'), ['id p1']);
  assert.deepEqual(await p.texts('.prompt pre'), ['Dysuria for two days. Next step?']);
  assert.deepEqual(await p.texts('.pane.left pre'), ['Order a CT of the abdomen.']);
  assert.deepEqual(await p.texts('.pane.right pre'), ['Start nitrofurantoin.']);
  assert.deepEqual(await p.texts('.label-status'), [], 'unlabeled');
  const before = (await p.posted()).length;
  await p.page.keyboard.press('1');
  assert.deepEqual(await p.waitPosted('label', before), { type: 'label', line: 0, expect: 11, label: 'B' }, 'left pane = candidate b');
  // The cursor moves on to the next record at once; the host's update then confirms the first.
  assert.deepEqual(await p.texts('#position'), ['Record 2 of 3']);
  await p.page.keyboard.press('k');
  const n = (await p.posted()).length;
  await p.page.keyboard.press('2');
  assert.deepEqual(await p.waitPosted('label', n), { type: 'label', line: 0, expect: 11, label: 'A' }, 'right pane = candidate a');
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('a labeled record marks the preferred pane and who labeled it; tie, both bad and clear', async () => {
  const p = await openPanel('labeler', LabelerHostMessage, { state: { line: 1 } });
  await p.send(snapshot);
  assert.deepEqual(await p.texts('#position'), ['Record 2 of 3']);
  assert.deepEqual(await p.texts('.turn.role-user .text'), ['Fever and flank pain?']);
  assert.deepEqual(await p.texts('.pane.left .text'), ['Suspect pyelonephritis.']);
  assert.deepEqual(await p.texts('.pane.preferred h3'), ['Response 11preferred'], 'order AB and label A: the left pane');
  // Times read as the person's locale shows them; the ISO time stays in the tooltip.
  assert.match((await p.texts('.label-status'))[0], /^Response 1 better — dr-b, Nov 1, 2026, \d{1,2}:\d{2}/);
  assert.equal(await p.page.getAttribute('.label-status .muted', 'title'), '2026-11-01T10:00:00Z');
  const keys = [['3', 'tie'], ['0', 'both_bad'], ['Backspace', null]] as const;
  for (const [key, label] of keys) {
    // Each decision moves on: come back to the second record first.
    await p.page.keyboard.press('Home');
    await p.page.keyboard.press('j');
    assert.deepEqual(await p.texts('#position'), ['Record 2 of 3']);
    const n = (await p.posted()).length;
    await p.page.keyboard.press(key);
    assert.deepEqual(await p.waitPosted('label', n), { type: 'label', line: 1, expect: 22, label }, key);
  }
  const second = snapshot.records[1] as Extract<RecordView, { kind: 'pair' }>;
  await p.send({ type: 'update', records: [{ ...second, hash: 23, label: 'B', annotator: 'dr-a', time: '2026-11-02T09:00:00Z' }] });
  await p.page.keyboard.press('Home');
  await p.page.keyboard.press('j');
  assert.deepEqual(await p.texts('.pane.preferred pre'), ['Probably a cold.'], 'label B in order AB: the right pane');
  assert.match((await p.texts('.label-status'))[0], /^Response 2 better — dr-a, Nov 2, 2026, \d{1,2}:\d{2}/);
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('a malformed line is shown with its error and never labeled; filter, undo, redo and "open as text" go to the host', async () => {
  const p = await openPanel('labeler', LabelerHostMessage, { state: { line: 2 } });
  await p.send(snapshot);
  assert.deepEqual(await p.texts('.record.malformed .error'), ['Not a valid preference record: line 3: field "chosen" is missing']);
  assert.deepEqual(await p.texts('.record.malformed pre.raw'), ['{"prompt": "x"']);
  const n = (await p.posted()).length;
  await p.page.keyboard.press('1');
  assert.deepEqual(await p.texts('.notice'), ['Line 3 is not a valid preference record; it is left untouched (t opens it as text).']);
  await p.page.keyboard.press('t');
  await p.page.keyboard.press('u');
  await p.page.keyboard.press('Shift+U');
  await p.waitPosted('redo', n);
  assert.deepEqual((await p.posted()).slice(n), [{ type: 'showText', line: 2 }, { type: 'undo' }, { type: 'redo' }], 'no label for a malformed line');
  await p.page.keyboard.press('f');
  assert.deepEqual(await p.texts('#position'), ['Record 2 of 2 unlabeled'], 'the labeled record is hidden, the malformed line stays');
  await p.page.keyboard.press('k');
  assert.deepEqual(await p.texts('.record-id'), ['id p1']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('r right after a label (the cursor has moved on) annotates the record just labeled, and says so', async () => {
  const p = await openPanel('labeler', LabelerHostMessage);
  await p.send(snapshot);
  assert.deepEqual(await p.texts('#position'), ['Record 1 of 3']);
  await p.page.keyboard.press('1');
  assert.deepEqual(await p.texts('#position'), ['Record 2 of 3'], 'auto-advance');
  await p.page.keyboard.press('r');
  assert.deepEqual(await p.texts('.record-id'), ['id p1'], 'the rationale box belongs to the record just labeled');
  assert.match((await p.texts('.notice'))[0], /just labeled \(line 1\)/);
  await p.page.keyboard.type('CT first is not indicated.');
  const n = (await p.posted()).length;
  await p.page.keyboard.press('Enter');
  assert.deepEqual(await p.waitPosted('rationale', n), { type: 'rationale', line: 0, expect: 11, text: 'CT first is not indicated.' });
  assert.deepEqual(await p.texts('#position'), ['Record 2 of 3'], 'and the cursor stays where auto-advance put it');
  // After moving, r annotates the record on screen again.
  await p.page.keyboard.press('k');
  await p.page.keyboard.press('j');
  await p.page.keyboard.press('r');
  assert.deepEqual(await p.texts('.notice'), []);
  await p.page.keyboard.press('Escape');
  await p.close();
  assert.deepEqual(p.problems(), []);
});
