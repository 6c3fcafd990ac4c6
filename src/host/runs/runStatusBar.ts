import * as vscode from 'vscode';
import { describeProgress } from '../../core/runs/runState';
import type { RunStore } from './runStore';

/** Shows the newest running run's step/total and loss; clicking opens its dashboard. */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('clinicalFt.runStatus', vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly store: RunStore) {
    this.item.name = 'Clinical FT training run';
  }

  update(): void {
    const running = this.store.list().filter((e) => e.view && (e.view.status === 'running' || e.view.status === 'queued'));
    const e = running[0];
    if (!e?.view) {
      this.item.hide();
      return;
    }
    const more = running.length > 1 ? ` (+${running.length - 1})` : '';
    this.item.text = `$(pulse) ${e.view.method.toUpperCase()} ${describeProgress(e.view)}${more}`;
    this.item.tooltip = `Clinical FT run ${e.id} — click to open its dashboard`;
    this.item.command = { command: 'clinicalFt.runs.openDashboard', title: 'Open dashboard', arguments: [{ kind: 'run', id: e.id }] };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
