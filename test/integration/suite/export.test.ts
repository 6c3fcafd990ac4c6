// Export model…: a run trained by this build's CLI on the sample model, exported from VS Code — through the
// palette and its pickers to a Hugging Face folder, and with a preset to GGUF q8_0 + Modelfile.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ui, eventually } from './ui';
import { trainerCli } from './trainerCli';
import { runsRoot, workspace } from './runFixtures';
import { writeTinyModel } from '../../fixtures/tinyModel';

const EXTENSION_ID = 'clinical-ft.clinical-ft';

suite('export', () => {
  const runId = '20261130-120000-sft-export';
  let runDir = '';

  suiteSetup(async function () {
    const ext = vscode.extensions.getExtension<{ extensionPath: string }>(EXTENSION_ID);
    assert.ok(ext);
    const extensionPath = (await ext.activate()).extensionPath;
    let model = path.join(workspace(), 'datasets-sample', 'model');
    if (!fs.existsSync(path.join(model, 'model.safetensors'))) {
      model = path.join(workspace(), 'export-model');
      if (!fs.existsSync(path.join(model, 'config.json'))) await writeTinyModel(model, { tokenizer: 'bytes' });
    }
    const data = path.join(workspace(), 'export-task.sft.jsonl');
    fs.writeFileSync(data, Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `Dysuria and fever, day ${i}. Admit?`, completion: i % 2 ? ' yes' : ' no' })).join('\n') + '\n');
    runDir = path.join(runsRoot(), runId);
    const r = await trainerCli(extensionPath, ['train', '--method', 'sft', '--model', model, '--data', data, '--steps', '2', '--batch-size', '4', '--lr', '1e-2', '--lora-targets', 'q_proj,v_proj,up_proj', '--out', runDir]);
    assert.equal(r.code, 0, r.stderr);
    await vscode.commands.executeCommand('workbench.view.extension.clinicalFt');
  });

  test('palette → run → "Hugging Face folder" → default folder: a merged HF folder appears under the run', async function () {
    this.timeout(180_000);
    await ui.palette('Clinical FT: Export model…');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("Export the model of run")');
    await ui.type(runId);
    await ui.waitFor(`.quick-input-list .monaco-list-row:has-text("${runId}")`);
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("format")');
    await ui.type('Hugging Face folder');
    await ui.waitFor('.quick-input-list .monaco-list-row:has-text("Hugging Face folder")');
    await ui.press('Enter');
    await ui.waitFor('.quick-input-widget .quick-input-title:has-text("output folder")');
    await ui.press('Enter');
    const out = path.join(runDir, 'exports', 'hf');
    await eventually(() => fs.existsSync(path.join(out, 'config.json')), 150_000, `${out}/config.json`);
    for (const f of ['model.safetensors', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
    // Nothing half-written is left beside it.
    assert.deepEqual(fs.readdirSync(path.dirname(out)).filter((n) => n.startsWith('.')), []);
  });

  test('a preset export to GGUF q8_0 returns the files; a second export to the same folder is refused', async function () {
    this.timeout(180_000);
    const out = path.join(runDir, 'exports', 'gguf-test');
    const r = (await vscode.commands.executeCommand('clinicalFt.runs.exportModel', runId, { format: 'gguf', quant: 'q8_0', out })) as { out: string; files: string[] };
    assert.deepEqual(r.files.sort(), ['Modelfile', 'gguf-test-q8_0.gguf']);
    assert.equal(fs.readFileSync(path.join(out, 'gguf-test-q8_0.gguf')).subarray(0, 4).toString('ascii'), 'GGUF');
    assert.match(fs.readFileSync(path.join(out, 'Modelfile'), 'utf8'), /^FROM \.\/gguf-test-q8_0\.gguf\nTEMPLATE """/);
    const again = (await vscode.commands.executeCommand('clinicalFt.runs.exportModel', runId, { format: 'gguf', out })) as { failed: string; cancelled: boolean };
    assert.match(again.failed, /already exists and is not an empty folder/);
    assert.equal(again.cancelled, false);
  });
});
