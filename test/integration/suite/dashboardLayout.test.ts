// The run dashboard in a real VS Code panel: the charts fill the panel (a grid sized to it, not small charts
// with half the panel empty), and a DPO run's reward accuracy is drawn smoothed over its faint raw series.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { runsRoot, writeRunFolder } from './runFixtures';

const id = '20261122-110000-dpo-layout';
const attr = async (selector: string, name: string) => (await ui.attributes(selector, [name], { inWebview: true })).values[0]?.[name] ?? '';
const size = (s: string) => s.split('x').map(Number) as [number, number];

suite('dashboard layout', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('clinical-ft.clinical-ft')!.activate();
    writeRunFolder(id, { status: 'completed', steps: 30, totalSteps: 30, method: 'dpo' });
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(runsRoot(), id), { recursive: true, force: true });
  });

  test('the DPO dashboard fills the panel with a grid of charts; reward accuracy is smoothed over its raw series', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('clinicalFt.runs.openDashboard', { kind: 'run', id });
    await ui.waitFor('section.chart[data-metric="accuracies"] canvas', { inWebview: true, timeoutMs: 30_000 });
    const layout = await eventually(async () => {
      const space = await attr('.grid', 'data-space');
      const chart = await attr('.grid', 'data-chart-size');
      return space && chart ? { space: size(space), chart: size(chart), columns: Number(await attr('.grid', 'data-columns')), charts: Number(await attr('.grid', 'data-charts')) } : undefined;
    }, 10_000, 'the grid laid out');
    assert.equal(layout.charts, 7, 'loss, lr, grad norm, tokens/s and the three DPO charts');
    assert.ok(layout.columns >= 2, `a grid, not one column: ${JSON.stringify(layout)}`);
    const rows = Math.ceil(layout.charts / layout.columns);
    // Each chart is as wide as its column and the rows take the panel's height (title and legend aside).
    assert.ok(layout.chart[0] * layout.columns >= 0.9 * layout.space[0], `charts span the panel's width: ${JSON.stringify(layout)}`);
    assert.ok(rows * layout.chart[1] >= 0.45 * layout.space[1], `charts take the panel's height (titles and legends take the rest): ${JSON.stringify(layout)}`);
    assert.equal(await attr('.grid', 'data-fits'), 'true', 'the last row is in view without scrolling');
    const accuracies = (await attr('section.chart[data-metric="accuracies"]', 'data-series')).split('\n');
    assert.deepEqual(accuracies, ['rewards/accuracies (raw)', 'rewards/accuracies (EMA 0.60)']);
    await ui.screenshot('dashboard-dpo-layout');
    await vscode.commands.executeCommand('workbench.action.toggleSidebarVisibility');
  });
});
