import * as vscode from 'vscode';
import { TrainerProcess } from './trainerProcess';
import type { TrainerChildren } from './trainerChildren';
import { formatEnvironmentReport } from '../core/environmentText';
import type { EnvironmentReport } from '../core/protocol/environment';
import { runsFolder } from './runsFolder';
import { probePython } from '../core/node/pythonProbe';
import { formatPythonStack } from '../core/pythonStack';
import { forgetTrlProbe, trlPython } from './trl/pythonStackHost';

async function appendPythonStack(output: vscode.OutputChannel): Promise<void> {
  const found = trlPython();
  if (!found) {
    output.appendLine('TRL engine (Python): off (set clinicalFt.pythonPath to an interpreter with the pinned stack, or run bash scripts/python-env.sh)');
    return;
  }
  const python = found.python;
  // A report asked for now probes afresh (packages may have been installed since), and so does the next start.
  forgetTrlProbe();
  output.appendLine(`Probing ${python}${found.source === 'discovered' ? ' (the pinned venv of scripts/python-env.sh; clinicalFt.pythonPath is empty)' : ''}…`);
  const probe = await probePython(python);
  output.append(probe.ok ? formatPythonStack(probe.report) : `TRL engine (Python): ${probe.message}\n`);
}

/** "Clinical FT: Show environment": the trainer process probes the backends; the host only displays. */
export async function showEnvironment(children: TrainerChildren, output: vscode.OutputChannel): Promise<EnvironmentReport | undefined> {
  output.show(true);
  output.appendLine('Probing training backends…');
  const trainer = new TrainerProcess(children, { label: 'environment probe' });
  try {
    const { report } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Clinical FT: probing backends' },
      () => trainer.request({ type: 'environment' }, 'environment'),
    );
    output.append(
      formatEnvironmentReport(report, {
        'VS Code': `${vscode.version} (${vscode.env.appName})`,
        'Runs folder': runsFolder() ?? '(no workspace folder open)',
        'Extension host': process.version,
      }),
    );
    await appendPythonStack(output);
    return report;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    output.appendLine(`Environment probe failed: ${msg}`);
    void vscode.window.showErrorMessage(`Clinical FT: environment probe failed — ${msg.split('\n')[0]}`);
    return undefined;
  } finally {
    trainer.dispose();
  }
}
