// One small file per kind of defect, each with the issues the validator must report (code, line, column)
// computed here from the text itself, independently of the validator.
const ok1 = '{"id":"a1","prompt":"Fever and burning with urination for two days.","completion":" yes"}';
const ok2 = '{"id":"a2","prompt":"Ankle sprain after a fall, no urinary symptoms.","completion":" no"}';
const chat = (id, msgs) => JSON.stringify({ id, messages: msgs.map(([role, content]) => ({ role, content })) });

/** 1-based column of the `nth` occurrence (0-based) of `needle` in `line`, plus `offset`. */
function col(line, needle, offset = 0, nth = 0) {
  let at = -1;
  for (let k = 0; k <= nth; k++) at = line.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`"${needle}" not in ${line}`);
  return at + 1 + offset;
}

function file(name, lines, expect, opts = {}) {
  const body = lines.join(opts.eol ?? '\n') + (opts.noFinalNewline ? '' : opts.eol ?? '\n');
  return { file: name, content: (opts.bom ? '\ufeff' : '') + body, expect };
}

export function defects() {
  const out = [];
  const e = (severity, code, line, column) => ({ severity, code, line, column });

  const trailingComma = '{"id":"a3","prompt":"Cough and fever.","completion":" no",}';
  out.push(file('json-trailing-comma.jsonl', [ok1, ok2, trailingComma], [e('error', 'json_syntax', 3, col(trailingComma, ',}', 1))]));

  const missingComma = '{"id":"a3","prompt":"Dysuria and frequency." "completion":" yes"}';
  out.push(file('json-missing-comma.jsonl', [ok1, missingComma, ok2], [e('error', 'json_syntax', 2, col(missingComma, '"completion"'))]));

  const unterminated = '{"id":"a3","prompt":"Flank pain, "completion":" yes"}';
  // The string opened at "Flank… runs to `, "` where a bare word follows: the parser stops at `completion`.
  out.push(file('json-bad-token.jsonl', [ok1, unterminated], [e('error', 'json_syntax', 2, col(unterminated, 'completion'))]));

  out.push(file('not-object.jsonl', [ok1, '["Fever and chills.", " yes"]'], [e('error', 'not_object', 2, 1)]));

  const noFormat = '{"note":"Burning with urination.","label":"yes"}';
  out.push(file('unknown-format.jsonl', [noFormat, ok1], [e('error', 'unknown_format', 1, 1)]));

  const missing = '{"id":"a3","prompt":"Suprapubic pain and urgency."}';
  out.push(file('missing-field.jsonl', [ok1, missing], [e('error', 'missing_field', 2, 1)]));

  const wrongType = '{"id":"a3","prompt":"Suprapubic pain and urgency.","completion":1}';
  out.push(file('wrong-type.jsonl', [ok1, wrongType], [e('error', 'wrong_type', 2, col(wrongType, ':1', 1))]));

  const empty = '{"id":"a3","prompt":"","completion":" no"}';
  out.push(file('empty-string.jsonl', [ok1, empty], [e('error', 'empty_string', 2, col(empty, '""'))]));

  const extra = '{"id":"a3","prompt":"Nocturia without pain.","completion":" no","label":"no"}';
  out.push(file('unknown-field.jsonl', [ok1, extra], [e('warning', 'unknown_field', 2, col(extra, '"label"'))]));

  const response = '{"id":"a3","prompt":"Dysuria and cloudy urine.","response":" yes"}';
  out.push(file('alias-response.jsonl', [ok1, response], [e('error', 'field_alias', 2, col(response, '"response"'))]));

  const output = '{"id":"a3","prompt":"Dysuria and cloudy urine.","output":" yes"}';
  out.push(file('alias-output.jsonl', [ok1, output], [e('error', 'field_alias', 2, col(output, '"output"'))]));

  const chatOk = chat('c1', [['system', 'Triage the message.'], ['user', 'I need a refill.'], ['assistant', 'Urgency: routine']]);
  const asstFirst = chat('c2', [['assistant', 'Urgency: routine'], ['user', 'I need a refill.']]);
  out.push(file('role-assistant-first.jsonl', [chatOk, asstFirst], [e('error', 'role_order', 2, col(asstFirst, '"assistant"'))]));

  const twoUsers = chat('c2', [['user', 'Chest pain.'], ['user', 'Still there.'], ['assistant', 'Urgency: emergency']]);
  out.push(file('role-alternation.jsonl', [chatOk, twoUsers], [e('error', 'role_order', 2, col(twoUsers, '"user"', 0, 1))]));

  const noAssistant = chat('c2', [['system', 'Triage the message.'], ['user', 'I need a refill.']]);
  out.push(file('role-no-assistant.jsonl', [chatOk, noAssistant], [e('error', 'role_order', 2, col(noAssistant, '"user"'))]));

  const human = chat('c2', [['human', 'I need a refill.'], ['assistant', 'Urgency: routine']]);
  out.push(file('role-invalid.jsonl', [chatOk, human], [e('error', 'invalid_role', 2, col(human, '"human"'))]));

  const dupId = '{"id":"a1","prompt":"Back pain after lifting.","completion":" no"}';
  out.push(file('duplicate-id.jsonl', [ok1, ok2, dupId], [e('error', 'duplicate_id', 3, col(dupId, '"a1"'))]));

  const dupRecord = '{"id":"a9","prompt":"Fever and burning with urination for two days.","completion":" yes"}';
  out.push(file('duplicate-record.jsonl', [ok1, ok2, dupRecord], [e('warning', 'duplicate_record', 3, 1)]));

  out.push(file('mixed-format.jsonl', [ok1, ok2, chatOk], [e('error', 'mixed_format', 3, 1)]));

  out.push(file('torn-last-line.jsonl', [ok1, ok2, '{"id":"a3","prompt":"Fever and rig'], [e('warning', 'torn_last_line', 3, 1)], { noFinalNewline: true }));

  out.push(file('empty-file.jsonl', ['', ''], [e('error', 'empty_file', 1, 1)], { noFinalNewline: true }));

  out.push(file('bom-crlf-blank-lines.jsonl', [ok1, '', ok2, '   ', ''], [], { bom: true, eol: '\r\n' }));

  const phi = '{"id":"a3","prompt":"Line one\\nCall \\"home\\" at 617-555-0142 tonight.","completion":" no"}';
  out.push(file('phi-phone.jsonl', [ok1, phi], [e('warning', 'phi_phone', 2, col(phi, '617-555-0142'))]));

  const dpoOk = '{"id":"d1","prompt":"Chest pressure for an hour, sweating.","chosen":"Urgency: emergency","rejected":"Urgency: routine"}';
  const dpoMissing = '{"id":"d2","prompt":"Refill of metformin please.","chosen":"Urgency: routine"}';
  out.push(file('dpo-missing-rejected.jsonl', [dpoOk, dpoMissing], [e('error', 'missing_field', 2, 1)]));

  const mixedSides = '{"id":"d2","prompt":"Refill of metformin please.","chosen":[{"role":"assistant","content":"Urgency: routine"}],"rejected":"Urgency: emergency"}';
  out.push(file('dpo-mixed-sides.jsonl', [dpoOk, mixedSides], [e('error', 'mixed_sides', 2, col(mixedSides, '[{'))]));

  const identical = '{"id":"d2","prompt":"Refill of metformin please.","chosen":"Urgency: routine","rejected":"Urgency: routine"}';
  out.push(file('dpo-identical.jsonl', [dpoOk, identical], [e('warning', 'identical_pair', 2, col(identical, '"Urgency: routine"', 0, 1))]));

  // Invalid UTF-8: a lone 0xFF byte inside the prompt string of line 2.
  const before = '{"id":"a3","prompt":"Fever ';
  const bytes = Buffer.concat([Buffer.from(`${ok1}\n${before}`), Buffer.from([0xff]), Buffer.from(' chills.","completion":" no"}\n')]);
  out.push({ file: 'invalid-utf8.jsonl', content: bytes, expect: [e('error', 'invalid_utf8', 2, before.length + 1)] });

  return out;
}
