import { dataKindOf, type Method } from '../../core/preferences/methods';
import * as path from 'node:path';
import { z } from 'zod';
import type { TrainerChildren } from '../trainerChildren';

const Issue = z.object({ line: z.number(), column: z.number().optional(), field: z.string().nullish(), code: z.string().optional(), message: z.string() });
const ValidateReport = z.object({ format: z.string().nullish(), records: z.number(), errors: z.array(Issue), warnings: z.array(Issue).default([]) });
export type DatasetIssue = z.infer<typeof Issue>;

export type DatasetCheck =
  | { kind: 'valid'; format: string | undefined; records: number; warnings: number }
  | { kind: 'invalid'; errors: DatasetIssue[]; records: number }
  | { kind: 'unavailable'; reason: string };

export interface CheckOptions {
  /** clinicalFt.phiAsErrors: PHI findings become errors, so they stop the run like any other defect. */
  phiAsErrors?: boolean;
  /** Aborting kills the validator (the person cancelled the start). */
  signal?: AbortSignal;
}

/** Arguments of the `clinical-ft validate` call that gates a run. */
export function validateArgs(file: string, method: Method, opts: CheckOptions = {}): string[] {
  return ['validate', file, '--format', dataKindOf(method), '--json', ...(opts.phiAsErrors ? ['--phi-errors'] : [])];
}

/**
 * Validates a dataset with the CLI (`clinical-ft validate FILE --format sft|dpo --json`, the contract), in a
 * child process so a large file never blocks the extension host. No vscode import: the unit tests run it.
 */
export async function checkDataset(children: TrainerChildren, file: string, method: Method, opts: CheckOptions = {}): Promise<DatasetCheck> {
  const { child, result } = children.run({ label: `validate ${path.basename(file)}`, args: validateArgs(file, method, opts) });
  const stop = () => child.kill();
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  const r = await result.finally(() => opts.signal?.removeEventListener('abort', stop));
  if (r.startError) return { kind: 'unavailable', reason: r.startError };
  let report: z.infer<typeof ValidateReport> | undefined;
  try {
    const parsed = ValidateReport.safeParse(JSON.parse(r.stdout));
    report = parsed.success ? parsed.data : undefined;
  } catch {
    report = undefined;
  }
  if (r.code === 0 && report) return { kind: 'valid', format: report.format ?? undefined, records: report.records, warnings: report.warnings.length };
  if (r.code === 1 && report) return { kind: 'invalid', errors: report.errors, records: report.records };
  return { kind: 'unavailable', reason: (r.stderr.trim() || r.stdout.trim() || `validate exited with ${r.signal ?? `code ${r.code}`}`).split('\n').slice(0, 3).join(' ') };
}

export function describeIssue(file: string, i: DatasetIssue): string {
  return `${path.basename(file)}:${i.line}${i.column ? `:${i.column}` : ''}${i.field ? ` (${i.field})` : ''}: ${i.message}`;
}
