// Reads a run folder with the extension's own readers (Runs view, dashboard tail) and prints what they see,
// so the TRL stage can check that a TRL run folder reads like a built-in one.
import { readMetrics, readRunRecord } from '../../src/core/node/runFolderReader';

const dir = process.argv[2] ?? '';
const run = readRunRecord(dir, { fixUp: false });
const metrics = readMetrics(dir);
console.log(
  JSON.stringify({
    ok: run.ok,
    status: run.ok ? run.record.status : undefined,
    engine: run.ok ? run.record.config.engine : undefined,
    error: run.ok ? undefined : run,
    records: metrics.records.length,
    badLines: metrics.badLines,
    tornTail: metrics.tornTail,
  }),
);
