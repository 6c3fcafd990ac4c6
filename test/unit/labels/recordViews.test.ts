import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordView } from '../../../src/host/labeling/recordViews';
import { RecordView } from '../../../src/core/protocol/labeler';
import { fnv1a } from '../../../src/core/labels/displayOrder';

test('what the labeler receives per line passes its own protocol schema', () => {
  const pair = '{"id":"x","prompt":[{"role":"user","content":"q"}],"chosen":"a","rejected":"b","meta":{"label":"tie","annotator":"n","rationale":"","time":"t"}}';
  const v = recordView(pair, 4)!;
  assert.equal(RecordView.safeParse(v).success, true);
  assert.ok(v.kind === 'pair' && v.label === 'tie' && v.hash === fnv1a(pair) && v.line === 4);
  assert.equal(recordView('   ', 0), undefined);
  const bad = recordView('{"chosen": nope', 1)!;
  assert.ok(bad.kind === 'malformed' && bad.text === '{"chosen": nope' && /not valid JSON/.test(bad.error));
  const sft = recordView('{"prompt":"p","completion":"c"}', 2)!;
  assert.ok(sft.kind === 'malformed' && /no "chosen"\/"rejected"/.test(sft.error));
  const huge = recordView(`{"x":"${'y'.repeat(5000)}`, 3)!;
  assert.ok(huge.kind === 'malformed' && huge.text.length <= 2001);
});

test('the display order follows the id, so moving a record in the file does not flip its sides', () => {
  const a = recordView('{"id":"k","chosen":"a","rejected":"b"}', 0)!;
  const b = recordView('{"rejected":"b","chosen":"a","id":"k"}', 9)!;
  assert.ok(a.kind === 'pair' && b.kind === 'pair' && a.order === b.order);
});
