import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from './index';
import { parseArgs, UsageError, withUsage } from './args';
import { readLineBatches } from '../../core/node/jsonlReader';
import { numericHash } from '../../core/node/validateFile';
import { DatasetValidator } from '../../core/datasets/validator';
import { recordText } from '../../core/datasets/recordSummary';
import { TOKEN_COUNT_MAX_CHARS, type TokenLengthsReport } from '../../core/datasets/tokenLengths';

const usage = `Usage: clinical-ft token-lengths --tokenizer DIR --data FILE [--max-chars N] --json
  Token count of every valid record's text (what the dataset preview's length histogram shows), with the
  tokenizer.json (+ tokenizer_config.json) of DIR. Records longer than N characters (default ${TOKEN_COUNT_MAX_CHARS})
  are counted on their first N characters.`;

export const tokenLengthsCommand: CliCommand = {
  summary: 'token count of every record of a JSONL dataset (the dataset preview runs it)',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags } = parseArgs(args, { tokenizer: 'string', data: 'string', 'max-chars': 'string', json: 'boolean' });
      const dir = flags.tokenizer;
      const file = flags.data;
      if (typeof dir !== 'string' || typeof file !== 'string') throw new UsageError('--tokenizer and --data are required');
      const maxChars = flags['max-chars'] === undefined ? TOKEN_COUNT_MAX_CHARS : Number(flags['max-chars']);
      if (!Number.isInteger(maxChars) || maxChars <= 0) throw new UsageError('--max-chars must be a positive integer');
      let count: (text: string) => number;
      try {
        const json = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as object;
        const cfgFile = path.join(dir, 'tokenizer_config.json');
        const config = fs.existsSync(cfgFile) ? (JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as object) : {};
        const { Tokenizer } = await import('@huggingface/tokenizers');
        const tok = new Tokenizer(json, config);
        count = (text) => tok.encode(text, { add_special_tokens: false }).ids.length;
      } catch (e) {
        process.stderr.write(`clinical-ft: cannot load the tokenizer of ${dir}: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
      // The same reading as the preview's index (core/node/datasetIndex.ts), so lines match record for record.
      const v = new DatasetValidator({ phi: false, maxIssues: 1, hash: numericHash });
      const report: TokenLengthsReport = { tokenizer: path.basename(path.resolve(dir)), maxChars, lengths: [], capped: 0 };
      for await (const batch of readLineBatches(file)) {
        for (const e of batch) {
          if (e.kind !== 'line' || /^\s*$/.test(e.text)) continue;
          const record = v.line(e.line, e.text, e.unterminated);
          if (!record) continue;
          const text = recordText(record);
          if (text.length > maxChars) report.capped++;
          report.lengths.push([e.line, count(text.length > maxChars ? text.slice(0, maxChars) : text)]);
        }
      }
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }),
};
