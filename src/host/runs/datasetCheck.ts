import * as cp from 'node:child_process';
import * as path from 'node:path';
import { z } from 'zod';

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
  /** clinicalFt.nodePath; the extension host's own Node when unset. */
  execPath?: string;
  /** Aborting kills the validator (the person cancelled the start). */
  signal?: AbortSignal;
}

/** Arguments of the `clinical-ft validate` call that gates a run. */
export function validateArgs(file: string, method: 'sft' | 'dpo', opts: CheckOptions = {}): string[] {
  return ['validate', file, '--format', method, '--json', ...(opts.phiAsErrors ? ['--phi-errors'] : [])];
}

/**
 * Validates a dataset with the CLI (`clinical-ft validate FILE --format sft|dpo --json`, the contract), in a
 * child process so a large file never blocks the extension host. No vscode import: the unit tests run it.
 */
export function checkDataset(extensionPath: string, file: string, method: 'sft' | 'dpo', opts: CheckOptions = {}): Promise<DatasetCheck> {
  return new Promise((resolve) => {
    const child = cp.fork(path.join(extensionPath, 'dist', 'trainer.js'), validateArgs(file, method, opts), {
      ...(opts.execPath ? { execPath: opts.execPath } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
    // An abort arrives as an 'error' (AbortError) before 'exit'; the caller knows it cancelled.
    child.on('error', (e) => resolve({ kind: 'unavailable', reason: e.message }));
    child.on('exit', (code) => {
      let report: z.infer<typeof ValidateReport> | undefined;
      try {
        const r = ValidateReport.safeParse(JSON.parse(out));
        report = r.success ? r.data : undefined;
      } catch {
        report = undefined;
      }
      if (code === 0 && report) resolve({ kind: 'valid', format: report.format ?? undefined, records: report.records, warnings: report.warnings.length });
      else if (code === 1 && report) resolve({ kind: 'invalid', errors: report.errors, records: report.records });
      else resolve({ kind: 'unavailable', reason: (err.trim() || out.trim() || `validate exited with code ${code}`).split('\n').slice(0, 3).join(' ') });
    });
  });
}

export function describeIssue(file: string, i: DatasetIssue): string {
  return `${path.basename(file)}:${i.line}${i.column ? `:${i.column}` : ''}${i.field ? ` (${i.field})` : ''}: ${i.message}`;
}
