// Foundation: the built extension activates in a real VS Code, registers what it contributes, opens the
// environment panel from the palette, shows its Runs view, activates fast and never loads tfjs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually, artifactsDir } from './ui';

const EXTENSION_ID = 'clinical-ft.clinical-ft';

interface Api {
  activationMs: number;
  extensionPath: string;
}

function loadedTfjsModules(): string[] {
  return Object.keys(require.cache).filter((k) => k.includes(`${path.sep}@tensorflow${path.sep}`) || /tfjs/.test(path.basename(k)));
}

suite('foundation', () => {
  let api: Api;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
    api = await ext.activate();
  });

  test('activates and reports its activation time under 100 ms', () => {
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs >= 0, `activationMs=${api.activationMs}`);
    fs.mkdirSync(artifactsDir(), { recursive: true });
    fs.writeFileSync(path.join(artifactsDir(), 'activation-ms.txt'), `${api.activationMs.toFixed(2)}\n`);
    console.log(`    activation took ${api.activationMs.toFixed(2)} ms`);
    assert.ok(api.activationMs < 100, `activation took ${api.activationMs.toFixed(1)} ms`);
  });

  test('every contributed command is registered', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(api.extensionPath, 'package.json'), 'utf8'));
    const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.includes('clinicalFt.showEnvironment'));
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });

  test('"Show environment" from the palette opens a readable panel: backend and why, speed, how to get faster', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await ui.palette('Clinical FT: Show environment');
    await ui.waitFor('[data-section="backend"] .headline', { inWebview: true, timeoutMs: 60_000 });
    const backend = (await ui.attributes('[data-section="backend"] .headline', ['data-backend'], { inWebview: true })).values[0]?.['data-backend'];
    assert.ok(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(backend ?? ''), `backend ${backend}`);
    assert.match((await ui.query('[data-section="backend"] p', { inWebview: true })).texts[1], /fastest backend/);
    const tried = await ui.query('.tried li', { inWebview: true });
    assert.equal(tried.count, 4, tried.texts.join(' | '));
    // One line each, never a loader's stack or module path.
    for (const t of tried.texts) assert.doesNotMatch(t, /Require stack|node:internal|\n/, t);
    assert.equal((await ui.query('.tried li.chosen', { inWebview: true })).count, 1);
    const speed = (await ui.attributes('[data-speed-class]', ['data-speed-class'], { inWebview: true })).values[0]?.['data-speed-class'];
    assert.ok(speed && speed !== 'unmeasured', `the speed was measured: ${speed}`);
    assert.match((await ui.query('[data-section="speed"] .headline', { inWebview: true })).texts[0], /GFLOP\/s/);
    assert.match((await ui.query('[data-section="threads"] p', { inWebview: true })).texts[0], /CPU core/);
    const faster = await ui.attributes('.faster li', ['data-id'], { inWebview: true });
    assert.deepEqual(faster.values.map((v) => v['data-id']), ['native-kernels', 'tfjs-node', 'trl-gpu']);
    assert.equal((await ui.query('[data-section="python"] p', { inWebview: true })).count > 0, true, 'the TRL stack is reported');
    await ui.screenshot('environment-panel');
  });

  test('the command returns a validated report naming every backend', async () => {
    const report = await vscode.commands.executeCommand<{ backends: { name: string; available: boolean }[]; selected: string }>(
      'clinicalFt.showEnvironment',
    );
    assert.ok(report, 'report returned');
    assert.deepEqual(report.backends.map((b) => b.name), ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    assert.equal(report.backends.find((b) => b.name === 'cpu')?.available, true);
    assert.ok(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(report.selected));
  });

  test('the Clinical FT container and its Runs view render', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
    await ui.waitFor('.pane-header:has-text("Runs")', { timeoutMs: 30_000 });
    const container = await ui.query('.composite.title:has-text("Clinical FT"), .sidebar .title-label:has-text("Clinical FT")');
    assert.ok(container.count > 0, 'sidebar title shows Clinical FT');
    await eventually(async () => (await ui.query('.sidebar .pane-body')).count > 0, 15_000, 'Runs view body');
    const shot = await ui.screenshot('runs-view');
    assert.ok(fs.existsSync(shot.file));
  });

  test('tfjs is never loaded in the extension host', () => {
    assert.deepEqual(loadedTfjsModules(), []);
  });
});
