import { execFile } from 'node:child_process';
import { PYTHON_PROBE, PythonStackReport } from '../pythonStack';

export type PythonProbeResult = { ok: true; report: PythonStackReport } | { ok: false; message: string };

/**
 * Asks `python` for its TRL stack. Every failure (no such file, not Python, a crash, garbage output, a hang)
 * becomes one message naming the interpreter: never a stack trace, never a hang.
 */
export function probePython(python: string, timeoutMs = 60_000): Promise<PythonProbeResult> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PYTHON_PROBE], { timeout: timeoutMs, maxBuffer: 1 << 20, env: { ...process.env, PYTHONNOUSERSITE: '1' } }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        const why = e.code === 'ENOENT' ? 'no such file' : e.killed ? `no answer within ${timeoutMs / 1000} s` : (stderr.trim().split('\n').pop() ?? e.message);
        resolve({ ok: false, message: `${python}: ${why}` });
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        resolve({ ok: false, message: `${python}: did not answer like a Python interpreter (output: ${JSON.stringify(stdout.slice(0, 80))})` });
        return;
      }
      const parsed = PythonStackReport.safeParse(raw);
      resolve(parsed.success ? { ok: true, report: parsed.data } : { ok: false, message: `${python}: unexpected probe answer (${parsed.error.issues[0]?.message ?? 'invalid'})` });
    });
  });
}
