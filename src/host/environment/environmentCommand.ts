import * as vscode from 'vscode';
import { TrainerProcess } from '../trainerProcess';
import type { TrainerChildren } from '../trainerChildren';
import type { EnvironmentReport } from '../../core/protocol/environment';
import { runsFolder } from '../runsFolder';
import { probePython } from '../../core/node/pythonProbe';
import type { PythonStatus } from '../../core/environmentView';
import { forgetTrlProbe, trlPython } from '../trl/pythonStackHost';
import { EnvironmentPanel, type EnvironmentProbe } from './environmentPanel';

async function pythonStatus(): Promise<PythonStatus> {
  const found = trlPython();
  if (!found) return { state: 'off' };
  // A report asked for now probes afresh (packages may have been installed since), and so does the next start.
  forgetTrlProbe();
  const probe = await probePython(found.python);
  return probe.ok ? { state: 'probed', report: probe.report } : { state: 'error', python: found.python, message: probe.message };
}

/** The trainer process probes the backends and measures speed; the host asks Python and only displays. */
function probeWith(children: TrainerChildren): EnvironmentProbe {
  return async () => {
    const trainer = new TrainerProcess(children, { label: 'environment probe' });
    try {
      const [{ report }, python] = await Promise.all([trainer.request({ type: 'environment' }, 'environment'), pythonStatus()]);
      const extra = {
        'VS Code': `${vscode.version} (${vscode.env.appName})`,
        'Runs folder': runsFolder() ?? '(no workspace folder open)',
        'Extension host': process.version,
      };
      return { report, python, extra };
    } finally {
      trainer.dispose();
    }
  };
}

/** "Clinical FT: Show environment": the environment panel; resolves with the report (tests, other extensions). */
export async function showEnvironment(children: TrainerChildren, output: vscode.OutputChannel, extensionUri: vscode.Uri): Promise<EnvironmentReport | undefined> {
  const panel = EnvironmentPanel.show(extensionUri, probeWith(children));
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Clinical FT: probing backends' }, () => panel.probe());
  if (!result.ok) {
    output.appendLine(`Environment probe failed: ${result.message}`);
    void vscode.window.showErrorMessage(`Clinical FT: environment probe failed — ${result.message.split('\n')[0]}`);
    return undefined;
  }
  output.appendLine(`Environment: ${result.view.backend.label}; ${result.view.speed.headline}`);
  return result.report;
}
