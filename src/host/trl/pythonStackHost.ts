import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probePython } from '../../core/node/pythonProbe';
import { missingForTrl, type PythonStackReport } from '../../core/pythonStack';

/** Where scripts/python-env.sh puts the pinned venv (CLINICAL_FT_PY_CACHE overrides its cache folder there too). */
export function discoveredPython(): string | undefined {
  const cache = process.env.CLINICAL_FT_PY_CACHE ?? path.join(os.homedir(), '.cache', 'clinical-ft-py');
  const py = path.join(cache, 'venv', 'bin', 'python');
  return fs.existsSync(py) ? py : undefined;
}

/**
 * The interpreter of the TRL engine: clinicalFt.pythonPath (machine scope), else the venv scripts/python-env.sh
 * made. None in an untrusted workspace: running an interpreter is running a program.
 */
export function trlPython(): { python: string; source: 'setting' | 'discovered' } | undefined {
  if (!vscode.workspace.isTrusted) return undefined;
  const set = vscode.workspace.getConfiguration('clinicalFt').get<string>('pythonPath', '').trim();
  if (set) return { python: set, source: 'setting' };
  const found = discoveredPython();
  return found ? { python: found, source: 'discovered' } : undefined;
}

export type TrlAvailability = { ok: true; python: string; report: PythonStackReport } | { ok: false; reason: string };

let cached: { python: string; result: Promise<TrlAvailability> } | undefined;

/** Whether TRL runs can start here, probed once per interpreter and window (a setting change probes again). */
export function trlAvailability(): Promise<TrlAvailability> {
  const found = trlPython();
  if (!found) return Promise.resolve({ ok: false, reason: 'no Python interpreter (set clinicalFt.pythonPath, or run bash scripts/python-env.sh)' });
  if (cached?.python !== found.python) {
    cached = {
      python: found.python,
      result: probePython(found.python).then((probe): TrlAvailability => {
        if (!probe.ok) return { ok: false, reason: probe.message };
        const missing = missingForTrl(probe.report);
        return missing.length ? { ok: false, reason: `${found.python} lacks ${missing.join(', ')}` } : { ok: true, python: found.python, report: probe.report };
      }),
    };
  }
  return cached.result;
}

/** Forgets the probe (the interpreter was changed or reinstalled). */
export function forgetTrlProbe(): void {
  cached = undefined;
}
