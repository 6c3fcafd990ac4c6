// `clinical-ft inspect`: each record exactly as the trainer feeds it — the rendered text, ids, each token's text,
// which tokens carry loss and whether truncation reached the answer. Built on the trainer's own renderer.
import type { DatasetRecord } from '../../core/datasets/records';
import type { InspectRecord, InspectedSequence } from '../../core/protocol/cliOutputs';
import type { ChatTemplateLike } from '../../core/prompt/recordSegments';
import type { TextTokenizer } from '../engine/types';
import { tokenizeDpo, tokenizeSft, type TokenizedExample } from './renderRecord';

function sequence(e: TokenizedExample, tok: TextTokenizer): InspectedSequence {
  const pieces = e.ids.map((id) => tok.decode([id]));
  // A special token (BOS, EOS, a template marker) is one that disappears when special tokens are skipped.
  const special = e.ids.map((id, i) => pieces[i] !== '' && tok.decode([id], { skipSpecialTokens: true }) === '');
  const trained = e.lossMask.map((x) => x === 1);
  return {
    text: tok.decode(e.ids),
    tokens: e.ids,
    pieces,
    trained,
    special,
    truncated: e.truncated,
    trainedCount: trained.filter(Boolean).length,
    droppedTrained: e.droppedTrained ?? 0,
  };
}

/** One record as the trainer feeds it; for a DPO pair the chosen sequence, with the rejected one beside it. */
export function inspectRecord(line: number, record: DatasetRecord, tok: TextTokenizer, template: ChatTemplateLike | undefined, maxLength: number): InspectRecord {
  if (record.kind === 'dpo') {
    const pair = tokenizeDpo(record, tok, template, maxLength);
    return { line, format: record.format, ...sequence(pair.chosen, tok), rejected: sequence(pair.rejected, tok) };
  }
  return { line, format: record.format, ...sequence(tokenizeSft(record, tok, template, maxLength), tok) };
}
