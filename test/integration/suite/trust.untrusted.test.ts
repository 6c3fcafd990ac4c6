// Restricted Mode for real: this suite runs only in a window whose workspace is NOT trusted (Workspace Trust
// enabled, see run.mjs / vscodeInBrowser.cjs). Everything that would start a local process on workspace files,
// or signal a process a workspace file names, must be refused with a message saying why, and do nothing: the
// child_process calls and signals of the extension host are recorded while each command runs.
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { listRuns, readRun, runsRoot, startStandInTrainer, workspace, writeRunFolder } from './runFixtures';

import childProcess = require('node:child_process');
import { alive } from '../../fixtures/processAlive';

type Call = { what: string; args: string };
const SPAWNERS = ['spawn', 'fork', 'exec', 'execFile', 'spawnSync', 'execSync', 'execFileSync'] as const;

/**
 * Records every child_process call and every real signal (not the liveness probe, signal 0) that code in
 * `fromFile` makes while `fn` runs. The extension's bundle reads these functions off the shared module at call
 * time, so the wrappers see its calls; they still forward, so a product that does spawn is caught, not hidden.
 * Other extensions share this host (git spawns at will): a call counts when `fromFile` is on its stack.
 */
async function recordingProcesses<T>(fn: () => Thenable<T>, fromFile = extensionBundle()): Promise<{ result: T; calls: Call[] }> {
  const calls: Call[] = [];
  const ours = () => (new Error().stack ?? '').includes(fromFile);
  const mod = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = SPAWNERS.map((name) => [name, mod[name]] as const);
  for (const [name, original] of originals) {
    mod[name] = function (this: unknown, ...a: unknown[]) {
      if (ours()) calls.push({ what: name, args: JSON.stringify(a.slice(0, 2)) });
      return original.apply(this, a);
    };
  }
  const kill = process.kill;
  process.kill = ((pid: number, signal?: string | number) => {
    if (signal !== 0 && ours()) calls.push({ what: 'kill', args: `${pid} ${String(signal ?? 'SIGTERM')}` });
    return kill.call(process, pid, signal);
  }) as typeof process.kill;
  try {
    const result = await fn();
    // Work a command starts without awaiting it would land just after.
    await new Promise((r) => setTimeout(r, 1000));
    return { result, calls };
  } finally {
    for (const [name, original] of originals) mod[name] = original;
    process.kill = kill;
  }
}

const extensionBundle = () => path.join(vscode.extensions.getExtension('clinical-ft.clinical-ft')!.extensionPath, 'dist', 'extension.js');

/** The refusal as a person sees it: a notification naming the action and Restricted Mode. */
async function refusalShown(action: string): Promise<string> {
  const sel = `.notification-list-item:has-text("${action}")`;
  // Toasts may be suppressed: the notification centre lists every message.
  await vscode.commands.executeCommand('notifications.showList');
  await ui.waitFor(sel, { timeoutMs: 20_000 });
  const text = (await ui.query(sel)).texts.join(' | ');
  assert.match(text, /Restricted Mode/, text);
  assert.match(text, /Trust the workspace/, text);
  return text;
}

async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await eventually(async () => (await ui.query('.notification-list-item')).count === 0, 10_000, 'notifications cleared');
}

function completedRunWithAdapter(id: string): string {
  const dir = writeRunFolder(id, { status: 'completed', steps: 4, totalSteps: 4 });
  fs.mkdirSync(path.join(dir, 'adapter'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'adapter', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj'] }));
  return dir;
}

suite('restricted mode (workspace not trusted)', () => {
  const children: cp.ChildProcess[] = [];

  suiteSetup(async () => {
    await vscode.extensions.getExtension('clinical-ft.clinical-ft')!.activate();
  });

  setup(clearNotifications);

  suiteTeardown(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  test('the window really is untrusted, and the workspace cannot redirect the restricted settings', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'Workspace Trust is enabled and this workspace is not trusted');
    // backend is not restricted: it shows when the workspace settings have been read.
    const values = { nodePath: path.join(workspace(), 'spy-node.sh'), defaultModel: 'evil-model', runsFolder: 'elsewhere/runs' };
    fs.mkdirSync(path.join(workspace(), '.vscode'), { recursive: true });
    const settingsFile = path.join(workspace(), '.vscode', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'clinicalFt.backend': 'cpu', ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`clinicalFt.${k}`, v])) }, null, 2));
    try {
      const cfg = () => vscode.workspace.getConfiguration('clinicalFt');
      await eventually(() => cfg().get('backend') === 'cpu', 20_000, 'the workspace settings to be read');
      for (const [key, value] of Object.entries(values)) assert.notEqual(cfg().get(key), value, `${key}: the workspace's value is ignored in Restricted Mode`);
    } finally {
      fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    }
  });

  test('Start SFT / DPO run and Start run from config are refused with a message; nothing is spawned or written', async () => {
    const data = path.join(workspace(), 'tiny.sft.jsonl');
    fs.writeFileSync(data, `${JSON.stringify({ prompt: 'patient with fever', completion: 'admit' })}\n`);
    const cfg = path.join(workspace(), 'tiny.run.json');
    fs.writeFileSync(cfg, JSON.stringify({ method: 'sft', model: path.join(workspace(), 'datasets-sample', 'model'), data, steps: 2 }));
    const before = listRuns();
    for (const [cmd, arg, action] of [
      ['clinicalFt.startSftRun', vscode.Uri.file(data), 'Starting a SFT run'],
      ['clinicalFt.startDpoRun', vscode.Uri.file(data), 'Starting a DPO run'],
      ['clinicalFt.startRunFromConfig', vscode.Uri.file(cfg), 'Starting a training run'],
    ] as const) {
      await clearNotifications();
      const { result, calls } = await recordingProcesses(() => vscode.commands.executeCommand<{ refused?: string }>(cmd, arg));
      assert.match(result?.refused ?? '', /Restricted Mode/, `${cmd} answers with its refusal`);
      await refusalShown(action);
      assert.deepEqual(calls, [], `${cmd}: no process started`);
      assert.equal(await ui.query('.quick-input-widget:visible').then((q) => q.count), 0, `${cmd}: no step of a flow opened`);
    }
    assert.deepEqual(listRuns(), before, 'no run folder was made');
  });

  test('Resume of a cancelled run is refused; its folder is untouched and nothing is spawned', async () => {
    const id = '20261122-080000-sft';
    const dir = writeRunFolder(id, { status: 'cancelled', steps: 3, totalSteps: 10 });
    fs.mkdirSync(path.join(dir, 'checkpoints', 'step-3'), { recursive: true });
    const runJson = fs.readFileSync(path.join(dir, 'run.json'), 'utf8');
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const { result, calls } = await recordingProcesses(() => vscode.commands.executeCommand<{ refused?: string }>('clinicalFt.runs.resume', { kind: 'run', id }));
    assert.match(result?.refused ?? '', /Restricted Mode/);
    await refusalShown('Resuming a training run');
    assert.deepEqual(calls, []);
    assert.equal(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'), runJson, 'run.json untouched');
    assert.equal(fs.existsSync(path.join(dir, 'trainer.lock')), false, 'no lock taken');
  });

  test('Cancel of a run this window did not start is refused: the process its trainer.lock names is not signalled', async () => {
    const id = '20261122-081000-sft';
    const dir = writeRunFolder(id, { status: 'queued', steps: 2, totalSteps: 500 });
    // A live process the extension did not start, named by the workspace's own lock file.
    const other = startStandInTrainer(dir, 2);
    children.push(other);
    await eventually(() => fs.existsSync(path.join(dir, 'trainer.lock')) && readRun(id).status === 'running', 10_000, 'the lock and running status');
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const { calls } = await recordingProcesses(() => vscode.commands.executeCommand('clinicalFt.runs.cancel', { kind: 'run', id }));
    const text = await refusalShown('which this window did not start');
    assert.match(text, /trainer\.lock/, 'the message says why');
    assert.deepEqual(calls, [], 'no signal sent, nothing spawned');
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(other.pid && alive(other.pid) && other.exitCode === null, 'the process is still running');
    assert.equal(readRun(id).status, 'running', 'the run was not cancelled');
  });

  test('Compare outputs is refused; no evaluation process, no compare folder', async () => {
    const id = '20261122-082000-sft';
    completedRunWithAdapter(id);
    await vscode.commands.executeCommand('clinicalFt.runs.refresh');
    const compareDir = path.join(path.dirname(runsRoot()), 'compare');
    const { result, calls } = await recordingProcesses(() => vscode.commands.executeCommand('clinicalFt.compareOutputs', { kind: 'run', id }, [{ kind: 'run', id }]));
    assert.equal(result, undefined, 'no compare panel');
    await refusalShown('Comparing model outputs');
    assert.deepEqual(calls, []);
    assert.equal(fs.existsSync(compareDir), false, 'nothing written');
  });

  test('Generate candidate pairs is refused; no generation process, no output file', async () => {
    const prompts = path.join(workspace(), 'prompts.txt');
    fs.writeFileSync(prompts, 'Advice after a fall:\n');
    const out = path.join(workspace(), 'prompts.candidates.prefs.jsonl');
    const { result, calls } = await recordingProcesses(() =>
      vscode.commands.executeCommand('clinicalFt.generateCandidatePairs', { prompts, model: path.join(workspace(), 'datasets-sample', 'model'), adapter: '', out, noOpen: true }),
    );
    assert.equal(result, undefined);
    await refusalShown('Generating candidate pairs');
    assert.deepEqual(calls, []);
    assert.equal(fs.existsSync(out), false, 'no output file');
  });

  test('Try it on the sample data is refused; nothing is copied or spawned', async () => {
    const sample = path.join(workspace(), 'clinical-ft-sample');
    const before = listRuns();
    const { result, calls } = await recordingProcesses(() => vscode.commands.executeCommand('clinicalFt.trySampleData'));
    assert.equal(result, undefined);
    await refusalShown('Trying the sample data');
    assert.deepEqual(calls, []);
    assert.equal(fs.existsSync(sample), false, 'no sample folder');
    assert.deepEqual(listRuns(), before);
  });

  test('the recorder sees a spawn and a signal (so an empty record means nothing happened)', async () => {
    let pid = 0;
    const { calls } = await recordingProcesses(async () => {
      const c = childProcess.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
      await new Promise((r) => c.once('spawn', r));
      pid = c.pid!;
      process.kill(pid, 'SIGTERM');
    }, __filename);
    assert.ok(calls.some((c) => c.what === 'spawn' && c.args.includes('setTimeout')), JSON.stringify(calls));
    assert.ok(calls.some((c) => c.what === 'kill' && c.args === `${pid} SIGTERM`), JSON.stringify(calls));
  });

  test('the manifest hides the guarded commands in Restricted Mode', () => {
    const ext = vscode.extensions.getExtension('clinical-ft.clinical-ft')!;
    const manifest = ext.packageJSON as { contributes: { commands: { command: string; enablement?: string }[]; menus: Record<string, { command: string; when?: string }[]> }; capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
    const guarded = ['clinicalFt.startSftRun', 'clinicalFt.startDpoRun', 'clinicalFt.startPreferenceRun', 'clinicalFt.startRunFromConfig', 'clinicalFt.runs.resume', 'clinicalFt.compareOutputs', 'clinicalFt.generateCandidatePairs', 'clinicalFt.trySampleData'];
    for (const c of manifest.contributes.commands.filter((c) => guarded.includes(c.command))) assert.equal(c.enablement, 'isWorkspaceTrusted', c.command);
    for (const m of Object.values(manifest.contributes.menus).flat().filter((m) => guarded.includes(m.command))) assert.match(m.when ?? '', /isWorkspaceTrusted/, `${m.command} menu`);
  });
});
