// The TRL engine driven from VS Code, for real: a tiny random-weight Llama made here, an SFT run started from
// the palette with the Engine row set to "TRL (Python)", trained by TRL + PEFT under Accelerate on two CPU
// processes (gloo) spawned by the extension; the dashboard draws the live curve; Cancel ends it `cancelled`
// with a checkpoint, Resume completes it from there, and the adapter lands in adapter/ (PEFT format).
// Needs the pinned Python stack (scripts/python-env.sh). Without it the test is skipped (named in
// test/expected-skips.json); under CI=true it fails instead.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { listRuns, runsRoot, workspace } from './runFixtures';
import { writeTinyModel } from '../../fixtures/tinyModel';

function pinnedPython(): string | undefined {
  const cache = process.env.CLINICAL_FT_PY_CACHE ?? path.join(os.homedir(), '.cache', 'clinical-ft-py');
  const py = process.env.CLINICAL_FT_PYTHON ?? path.join(cache, 'venv', 'bin', 'python');
  return fs.existsSync(py) ? py : undefined;
}

const runJson = (id: string) => JSON.parse(fs.readFileSync(path.join(runsRoot(), id, 'run.json'), 'utf8')) as { status: string; error?: string; lastCheckpoint?: number; numProcesses?: number; config: { engine: string } };
const metricSteps = (id: string): number[] => {
  const file = path.join(runsRoot(), id, 'metrics.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').flatMap((l) => {
    try {
      const r = JSON.parse(l) as { step?: number; loss?: number };
      return typeof r.loss === 'number' && typeof r.step === 'number' ? [r.step] : [];
    } catch {
      return [];
    }
  });
};

async function chartPoints(metric: string): Promise<number> {
  const a = await ui.attributes(`section.chart[data-metric="${metric}"]`, ['data-points'], { inWebview: true });
  return Number(a.values[0]?.['data-points'] ?? 0);
}

/** Typed into the review, then Enter on the row that shows `row`. */
async function reviewRow(text: string, row = text): Promise<void> {
  await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")', { timeoutMs: 60_000 });
  await ui.type(text);
  await ui.waitFor(`.quick-input-list .monaco-list-row:has-text("${row}")`);
  await ui.press('Enter');
}

suite('trl engine', () => {
  // Long enough (tens of seconds at a few steps per second) that Cancel lands mid-run on a loaded machine.
  const STEPS = 160;

  teardown(async () => {
    for (let i = 0; i < 3 && (await ui.query('.quick-input-widget:visible')).count > 0; i++) await ui.press('Escape');
  });

  test('TRL SFT from the palette: two CPU processes, live curve, Cancel → cancelled with a checkpoint, Resume → completed with a PEFT adapter', async function () {
    const python = pinnedPython();
    if (!python) {
      if (process.env.CI === 'true') throw new Error('no pinned Python stack (bash scripts/python-env.sh): CI must run the TRL engine test');
      this.skip();
    }
    this.timeout(900_000);
    const t0 = Date.now();
    const cfg = vscode.workspace.getConfiguration('clinicalFt');
    await cfg.update('pythonPath', python, vscode.ConfigurationTarget.Global);
    const model = path.join(workspace(), 'trl-tiny-llama');
    await writeTinyModel(model, { arch: 'llama', hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, seed: 7, tokenizer: 'wordlevel' });
    await cfg.update('defaultModel', model, vscode.ConfigurationTarget.Workspace);
    const symptoms = ['fever', 'cough', 'headache', 'nausea'];
    const data = path.join(workspace(), 'trl-tiny.sft.jsonl');
    fs.writeFileSync(data, Array.from({ length: 16 }, (_, i) => JSON.stringify({ prompt: `patient presents with ${symptoms[i % 4]} and`, completion: i % 2 ? ' admit' : ' discharge daily medication' })).join('\n') + '\n');
    const before = new Set(listRuns());
    try {
      await ui.palette('Clinical FT: Start SFT run');
      await ui.waitFor('.quick-input-widget .quick-input-title:has-text("dataset")');
      await ui.type('trl-tiny.sft.jsonl');
      await ui.waitFor('.quick-input-list .monaco-list-row:has-text("trl-tiny.sft.jsonl")');
      await ui.press('Enter');
      await ui.pickStep('Base model', { timeoutMs: 60_000 });
      await ui.press('Enter');
      await ui.pickStep('Starting adapter');
      await ui.press('Enter');
      // The Engine row exists because the interpreter has the pinned stack; it opens the engine picker.
      await reviewRow('Engine');
      await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Training engine")');
      await ui.type('TRL');
      await ui.waitFor('.quick-input-list .monaco-list-row:has-text("2 CPU processes")');
      await ui.press('Enter');
      // The review keeps the Engine row active, below the pre-flight rows: filter to bring the Start row into view.
      await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Review")', { timeoutMs: 60_000 });
      await ui.type('Start training');
      await ui.waitFor('.quick-input-list .monaco-list-row:has-text("Start training"):has-text("TRL (Python)")', { timeoutMs: 20_000 });
      await ui.press('Control+a');
      await ui.press('Backspace');
      await reviewRow('Steps', 'optimizer steps');
      await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Steps")');
      await ui.press('Control+a');
      await ui.type(String(STEPS));
      await ui.press('Enter');
      await reviewRow('Start training');
      const id = await eventually(() => listRuns().find((r) => !before.has(r) && fs.existsSync(path.join(runsRoot(), r, 'run.json'))), 120_000, 'the TRL run folder');
      const dir = path.join(runsRoot(), id);
      assert.ok(fs.existsSync(path.join(dir, 'train.py')) && fs.existsSync(path.join(dir, 'launch.sh')), 'the handoff job was written into the run folder');
      await eventually(() => metricSteps(id).length >= 3, 300_000, 'three logged steps from the TRL workers');
      const started = runJson(id);
      assert.equal(started.config.engine, 'trl');
      assert.equal(started.numProcesses, 2, 'two processes');
      // Followed like a built-in run: the dashboard (opened by the start) draws the same metrics.jsonl tail.
      await eventually(async () => (await chartPoints('loss')) >= 3, 30_000, 'live loss points in the dashboard');
      await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
      await ui.waitFor(`.sidebar .monaco-list-row:has-text("SFT · trl-tiny.sft.jsonl"):has-text("/${STEPS}")`, { timeoutMs: 20_000 });
      await ui.screenshot('trl-live');
      assert.equal(runJson(id).status, 'running', 'still running when Cancel is sent');
      const tCancel = Date.now();
      await vscode.commands.executeCommand('clinicalFt.runs.cancel', { kind: 'run', id });
      await eventually(() => runJson(id).status === 'cancelled', 120_000, 'the run to end cancelled');
      const cancelled = runJson(id);
      assert.ok(Number.isInteger(cancelled.lastCheckpoint) && cancelled.lastCheckpoint! < STEPS, `lastCheckpoint ${cancelled.lastCheckpoint}`);
      assert.ok(fs.existsSync(path.join(dir, 'checkpoints', `checkpoint-${cancelled.lastCheckpoint}`)), 'the cancel checkpoint');
      await ui.waitFor('.sidebar .monaco-list-row:has-text("cancelled")', { timeoutMs: 30_000 });
      const cancelSeconds = (Date.now() - tCancel) / 1000;
      const r = await vscode.commands.executeCommand<{ runId: string } | undefined>('clinicalFt.runs.resume', id);
      assert.deepEqual(r, { runId: id });
      await eventually(() => ['completed', 'failed'].includes(runJson(id).status), 600_000, 'the resumed run to end');
      assert.equal(runJson(id).status, 'completed', runJson(id).error);
      assert.deepEqual(metricSteps(id), Array.from({ length: STEPS }, (_, i) => i + 1), 'every step once, the cancelled tail replaced by the resume');
      const adapter = JSON.parse(fs.readFileSync(path.join(dir, 'adapter', 'adapter_config.json'), 'utf8')) as { peft_type: string; base_model_name_or_path: string };
      assert.equal(adapter.peft_type, 'LORA');
      assert.equal(adapter.base_model_name_or_path, model);
      assert.ok(fs.existsSync(path.join(dir, 'adapter', 'adapter_model.safetensors')));
      await ui.waitFor(`.sidebar .monaco-list-row:has-text("completed · ${STEPS}/${STEPS}")`, { timeoutMs: 30_000 });
      await eventually(async () => (await chartPoints('loss')) >= STEPS, 30_000, 'the whole curve in the dashboard');
      await ui.screenshot('trl-completed');
      console.log(`  TRL test wall time ${((Date.now() - t0) / 1000).toFixed(0)} s (cancel to cancelled ${cancelSeconds.toFixed(1)} s)`);
    } finally {
      await cfg.update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
      await cfg.update('defaultModel', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('remote: Export for a GPU server without the confirmation writes nothing; Import run results brings a server run into the Runs view and refuses a broken one; a SLURM run shows squeue\'s state', async function () {
    this.timeout(240_000);
    const cfg = path.join(workspace(), 'remote.run.json');
    const data = path.join(workspace(), 'remote.sft.jsonl');
    fs.writeFileSync(data, '{"prompt":"patient has fever","completion":" follow up"}\n');
    fs.writeFileSync(cfg, JSON.stringify({ method: 'sft', model: path.join(workspace(), 'no-model-needed'), data, steps: 2 }));
    // The workbench under test refuses modal dialogs, which is exactly "not confirmed": no job folder, no data copied.
    const out = path.join(workspace(), 'export-job');
    const exported = await vscode.commands.executeCommand('clinicalFt.runs.exportForGpuServer', undefined, { config: cfg, mode: 'multi-gpu', numProcesses: 8, slurm: true, out });
    assert.equal(exported, undefined);
    assert.equal(fs.existsSync(out), false, 'nothing written without the confirmation');

    // A run folder as a GPU server leaves it (run.json completed, metrics.jsonl, a PEFT adapter).
    const server = path.join(workspace(), 'from-server', 'job');
    fs.mkdirSync(path.join(server, 'adapter'), { recursive: true });
    const config = JSON.parse(fs.readFileSync(cfg, 'utf8')) as object;
    fs.writeFileSync(path.join(server, 'run.json'), JSON.stringify({ id: '20261130-090000-sft', config: { ...config, engine: 'trl' }, status: 'completed', versions: { trl: '0.19.1' }, totalSteps: 5, startedAt: '2026-11-30T09:00:00Z', endedAt: '2026-11-30T09:10:00Z' }));
    fs.writeFileSync(path.join(server, 'metrics.jsonl'), [1, 2, 3, 4, 5].map((s) => JSON.stringify({ step: s, epoch: s / 5, loss: 3 - s * 0.3, learning_rate: 1e-4, grad_norm: 1 })).join('\n') + '\n');
    fs.writeFileSync(path.join(server, 'adapter', 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj'] }));
    const header = Buffer.from(JSON.stringify({ 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight': { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    fs.writeFileSync(path.join(server, 'adapter', 'adapter_model.safetensors'), Buffer.concat([len, header, Buffer.alloc(4)]));
    const imported = await vscode.commands.executeCommand<{ runId: string }>('clinicalFt.runs.importResults', vscode.Uri.file(server));
    assert.deepEqual(imported, { runId: '20261130-090000-sft' });
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
    await ui.waitFor('.sidebar .monaco-list-row:has-text("SFT · remote.sft.jsonl"):has-text("completed · 5/5")', { timeoutMs: 30_000 });
    await vscode.commands.executeCommand('clinicalFt.runs.openDashboard', { kind: 'run', id: imported.runId });
    await eventually(async () => (await chartPoints('loss')) >= 5, 30_000, 'the imported curve in the dashboard');

    fs.writeFileSync(path.join(server, 'run.json'), JSON.stringify({ id: 'x', config: { ...config, engine: 'trl' }, status: 'running', versions: {} }));
    const refused = await vscode.commands.executeCommand<{ problems: string[] }>('clinicalFt.runs.importResults', vscode.Uri.file(server));
    assert.match(refused.problems.join('\n'), /field status: "running"/);
    await vscode.commands.executeCommand('notifications.showList');
    await ui.waitFor('.notification-list-item:has-text("nothing imported")', { timeoutMs: 20_000 });
    await vscode.commands.executeCommand('notifications.clearAll');

    // SLURM: squeue / sacct cannot run here; scripts on PATH stand in for them (printing what they print).
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-slurm-'));
    const queue = path.join(bin, 'queue');
    fs.writeFileSync(path.join(bin, 'squeue'), `#!/bin/sh\ncat "${queue}" 2>/dev/null; exit 0\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'sacct'), '#!/bin/sh\necho "FAILED"\n', { mode: 0o755 });
    fs.writeFileSync(queue, 'RUNNING\n');
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const id = '20261130-100000-sft';
      const dir = path.join(runsRoot(), id);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id, config: { ...config, engine: 'trl' }, status: 'queued', versions: {}, startedAt: new Date().toISOString() }));
      fs.writeFileSync(path.join(dir, 'slurm.json'), JSON.stringify({ jobId: '777', submittedAt: new Date().toISOString(), state: 'PENDING' }));
      await vscode.commands.executeCommand('clinicalFt.runs.refresh');
      await ui.waitFor('.sidebar .monaco-list-row:has-text("SLURM 777 RUNNING")', { timeoutMs: 60_000 });
      fs.rmSync(queue);
      await eventually(() => (JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as { status: string }).status === 'failed', 60_000, 'the ended job recorded');
      await ui.waitFor('.sidebar .monaco-list-row:has-text("SLURM 777 FAILED")', { timeoutMs: 30_000 });
      await ui.screenshot('trl-slurm-state');
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
