// Streams a train file into a LeakageIndex, then reports each eval record whose prompt leaks from it.
import * as path from 'node:path';
import { readRecords } from './validateFile';
import { LeakageIndex, promptText } from '../datasets/leakage';
import type { DatasetIssue } from '../datasets/issues';

export async function checkLeakage(trainFile: string, evalFile: string, threshold = 0.8): Promise<DatasetIssue[]> {
  const index = new LeakageIndex(threshold);
  for await (const { line, record } of readRecords(trainFile, { skipInvalid: true })) index.add(line, promptText(record));
  const name = path.basename(trainFile);
  const out: DatasetIssue[] = [];
  for await (const { line, record } of readRecords(evalFile, { skipInvalid: true })) {
    const m = index.match(promptText(record));
    if (!m) continue;
    out.push({
      line,
      column: 1,
      field: null,
      code: m.kind === 'exact' ? 'leakage_exact' : 'leakage_near',
      message:
        m.kind === 'exact'
          ? `prompt also appears in ${name} line ${m.trainLine}: evaluation on training data overstates performance`
          : `prompt is a near-duplicate (~${Math.round(m.similarity * 100)}% similar) of ${name} line ${m.trainLine}`,
    });
  }
  return out;
}
