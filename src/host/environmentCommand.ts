import * as vscode from 'vscode';
import { TrainerProcess } from './trainerProcess';
import type { TrainerChildren } from './trainerChildren';
import { formatEnvironmentReport } from '../core/environmentText';
import type { EnvironmentReport } from '../core/protocol/environment';
import { runsFolder } from './runsFolder';

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
