// Every TRL dataset format is accepted unchanged and named by the validator (TRL's dataset_formats docs): the
// conversational prompt-completion, tool calling and unpaired preference records included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetValidator } from '../../../src/core/datasets/validator';
import { FORMAT_LABELS } from '../../../src/core/datasets/records';

function validate(rows: unknown[], format: 'auto' | 'sft' | 'dpo' = 'auto') {
  const v = new DatasetValidator({ format, phi: false });
  rows.forEach((r, i) => v.line(i + 1, JSON.stringify(r)));
  return v.result();
}

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

test('conversational prompt-completion: prompt and completion as message lists', () => {
  const r = validate([{ prompt: [user('What color is the sky?')], completion: [assistant('It is blue.')] }]);
  assert.deepEqual(r.errors, []);
  assert.equal(r.format, 'prompt_completion');
  const bad = validate([{ prompt: [user('Q')], completion: [user('not an answer')] }]);
  assert.equal(bad.errors[0]?.code, 'role_order');
  assert.equal(bad.errors[0]?.field, 'completion[0].role');
});

test('tool calling: assistant tool_calls without content, a tool turn, and tools for the template', () => {
  const tools = [{ type: 'function', function: { name: 'get_potassium', description: 'latest K+', parameters: { type: 'object', properties: {} } } }];
  const record = {
    messages: [
      user('Latest potassium?'),
      { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'get_potassium', arguments: {} } }] },
      { role: 'tool', name: 'get_potassium', content: '5.9' },
      assistant('It is 5.9 mmol/L: high.'),
    ],
    tools,
  };
  const r = validate([record]);
  assert.deepEqual([...r.errors, ...r.warnings], []);
  assert.equal(r.format, 'messages');
  const noContent = validate([{ messages: [user('Q'), { role: 'assistant' }] }]);
  assert.match(noContent.errors[0]?.message ?? '', /content|tool_calls/);
  const strayTool = validate([{ messages: [user('Q'), { role: 'tool', content: '5.9' }, assistant('A')] }]);
  assert.equal(strayTool.errors[0]?.code, 'role_order');
  assert.match(strayTool.errors[0]?.message ?? '', /tool message must follow an assistant message with "tool_calls"/);
});

test('unpaired preference is its own format, not prompt/completion with an ignored label', () => {
  const r = validate([
    { prompt: 'The sky is', completion: ' blue.', label: true },
    { prompt: 'The sky is', completion: ' green.', label: false },
  ]);
  assert.deepEqual([...r.errors, ...r.warnings], []);
  assert.equal(r.format, 'unpaired_preference');
  assert.match(FORMAT_LABELS.unpaired_preference, /unpaired preference/);
  const sft = validate([{ prompt: 'The sky is', completion: ' blue.', label: true }], 'sft');
  assert.equal(sft.errors[0]?.code, 'wrong_kind');
  // A string "label" is not TRL's unpaired label: it stays an unknown field of prompt/completion.
  const stringLabel = validate([{ prompt: 'p', completion: ' no', label: 'no' }]);
  assert.equal(stringLabel.format, 'prompt_completion');
  assert.equal(stringLabel.warnings[0]?.code, 'unknown_field');
});

test('the classic formats keep their names', () => {
  assert.equal(validate([{ text: 'The sky is blue.' }]).format, 'text');
  assert.equal(validate([{ messages: [user('Q'), assistant('A')] }]).format, 'messages');
  assert.equal(validate([{ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' }]).format, 'preference');
  assert.equal(validate([{ chosen: 'The sky is blue.', rejected: 'The sky is green.' }]).format, 'implicit_preference');
  assert.equal(validate([{ instruction: 'Classify', output: 'yes' }]).format, 'alpaca');
});
