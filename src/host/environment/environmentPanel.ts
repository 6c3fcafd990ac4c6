import * as vscode from 'vscode';
import type { EnvironmentReport } from '../../core/protocol/environment';
import { EnvironmentWebviewMessage, type EnvironmentHostMessage, type EnvironmentView } from '../../core/protocol/environmentPanel';
import { environmentView, type PythonStatus } from '../../core/environmentView';
import { formatEnvironmentView } from '../../core/environmentText';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export type EnvironmentProbe = () => Promise<{ report: EnvironmentReport; python: PythonStatus; extra: Record<string, string> }>;
export type ProbeResult = { ok: true; report: EnvironmentReport; view: EnvironmentView } | { ok: false; message: string };

/**
 * The environment panel: one per window. The host keeps the latest state (probing, the view, or the failure)
 * and sends it whole whenever the webview says `ready` (first load, or restored after being hidden).
 */
export class EnvironmentPanel implements vscode.Disposable {
  private static current: EnvironmentPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private state: EnvironmentHostMessage = { type: 'probing' };
  private ready = false;
  private running: Promise<ProbeResult> | undefined;

  static show(extensionUri: vscode.Uri, probe: EnvironmentProbe): EnvironmentPanel {
    if (EnvironmentPanel.current) {
      EnvironmentPanel.current.probeFn = probe;
      EnvironmentPanel.current.panel.reveal(undefined, false);
      return EnvironmentPanel.current;
    }
    EnvironmentPanel.current = new EnvironmentPanel(extensionUri, probe);
    return EnvironmentPanel.current;
  }

  private constructor(
    extensionUri: vscode.Uri,
    private probeFn: EnvironmentProbe,
  ) {
    this.panel = vscode.window.createWebviewPanel('clinicalFt.environment', 'Clinical FT environment', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'clinical-ft.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'environment', 'Clinical FT environment');
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
    );
  }

  /** Probes again (one probe at a time: a second call while one runs shares its answer). */
  probe(): Promise<ProbeResult> {
    this.running ??= this.runProbe().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runProbe(): Promise<ProbeResult> {
    this.setState({ type: 'probing' });
    try {
      const { report, python, extra } = await this.probeFn();
      const view = environmentView(report, python, extra);
      this.setState({ type: 'view', view });
      return { ok: true, report, view };
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      this.setState({ type: 'failed', message });
      return { ok: false, message };
    }
  }

  private setState(state: EnvironmentHostMessage): void {
    this.state = state;
    if (this.ready) void this.panel.webview.postMessage(state);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = EnvironmentWebviewMessage.safeParse(raw);
    if (!parsed.success) {
      console.warn('[clinical-ft] rejected environment panel message', parsed.error.issues[0]?.message);
      return;
    }
    switch (parsed.data.type) {
      case 'ready':
        this.ready = true;
        void this.panel.webview.postMessage(this.state);
        return;
      case 'refresh':
        await this.probe();
        return;
      case 'copy':
        if (this.state.type !== 'view') return;
        await vscode.env.clipboard.writeText(formatEnvironmentView(this.state.view));
        void this.panel.webview.postMessage({ type: 'copied' } satisfies EnvironmentHostMessage);
        return;
      case 'openPythonSetting':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'clinicalFt.pythonPath');
        return;
    }
  }

  dispose(): void {
    if (EnvironmentPanel.current === this) EnvironmentPanel.current = undefined;
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
