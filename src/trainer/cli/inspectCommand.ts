import * as fs from 'node:fs';
import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { numberFlag, stringFlag } from './engineFlags';
import { RunConfig } from '../../core/runConfig';
import { InspectRecord } from '../../core/protocol/cliOutputs';
import { readRecords, DatasetError } from '../../core/node/validateFile';
import { loadTextSide } from '../engine/textSide';
import { inspectRecord } from '../prompt/inspectRecords';
import { answerWarning } from '../../core/prompt/answerWarning';

const DEFAULT_MAX_LENGTH = RunConfig.shape.maxLength.parse(undefined);

const usage = `Usage: clinical-ft inspect --model DIR --data FILE [--line N] [--max-length L] [--json]
Shows each record exactly as training feeds it: the text after the chat template, the token ids, each token's
text, which tokens carry loss (marked [..] below) and whether truncation to --max-length (default
${DEFAULT_MAX_LENGTH}, as clinical-ft train) cut the answer. --line N shows only the record on line N.
--json prints one object per record: {"line","format","text","tokens","pieces","trained","special","truncated",
"trainedCount","droppedTrained"} (DPO: the chosen sequence, and the same fields under "rejected").
Exit: 0 shown, 1 a record trains nothing, 2 bad flags, an unreadable model folder or an invalid record.`;

function textView(r: InspectRecord, maxLength: number): string {
  const one = (label: string, s: Omit<InspectRecord, 'line' | 'format' | 'rejected'>) => {
    // Trained runs in [..] so a terminal shows where the loss is without colour.
    let marked = '';
    s.pieces.forEach((p, i) => {
      const open = s.trained[i] && (i === 0 || !s.trained[i - 1]);
      const close = s.trained[i] && (i === s.pieces.length - 1 || !s.trained[i + 1]);
      marked += `${open ? '[' : ''}${p}${close ? ']' : ''}`;
    });
    const warning = answerWarning(s, maxLength);
    return `${label}${s.tokens.length} tokens, ${s.trainedCount} trained${s.truncated ? ', truncated' : ''}${warning ? `\n  warning: ${warning}` : ''}\n${marked}\n  ids: ${s.tokens.join(' ')}\n`;
  };
  return `line ${r.line} (${r.format}): ${r.rejected ? `${one('chosen: ', r)}${one('rejected: ', r.rejected)}` : one('', r)}\n`;
}

export const inspectCommand: CliCommand = {
  summary: 'show which tokens of each record training feeds and trains (after the chat template)',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, { model: 'string', data: 'string', line: 'string', 'max-length': 'string', json: 'boolean' });
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      const model = stringFlag('model', flags.model);
      const data = stringFlag('data', flags.data);
      if (!model) throw new UsageError('--model DIR is required');
      if (!data) throw new UsageError('--data FILE is required');
      const line = flags.line === undefined ? undefined : numberFlag('line', flags.line, 1, (n) => Number.isInteger(n) && n >= 1, 'a line number (1 or more)');
      const maxLength = numberFlag('max-length', flags['max-length'], DEFAULT_MAX_LENGTH, (n) => Number.isInteger(n) && n >= 8, 'an integer of at least 8');
      let text;
      try {
        text = loadTextSide(model);
        if (!fs.existsSync(data)) throw new Error(`${data}: file not found`);
      } catch (e) {
        process.stderr.write(`clinical-ft inspect: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
      let shown = 0;
      let trainsNothing = 0;
      try {
        for await (const r of readRecords(data)) {
          if (line !== undefined && r.line !== line) continue;
          const view = inspectRecord(r.line, r.record, text.tokenizer, text.chatTemplate, maxLength);
          shown++;
          if (view.trainedCount === 0 || (view.rejected && view.rejected.trainedCount === 0)) trainsNothing++;
          process.stdout.write(flags.json ? `${JSON.stringify(InspectRecord.parse(view))}\n` : textView(view, maxLength));
          if (line !== undefined) break;
        }
      } catch (e) {
        if (!(e instanceof DatasetError)) throw e;
        process.stderr.write(`clinical-ft inspect: ${e.message} (run clinical-ft validate ${data})\n`);
        return 2;
      }
      if (line !== undefined && shown === 0) {
        process.stderr.write(`clinical-ft inspect: ${data} has no record on line ${line}\n`);
        return 2;
      }
      return trainsNothing > 0 ? 1 : 0;
    }),
};
