import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunConfig } from '../../core/runConfig';
import { SAMPLE_MODEL_SFT } from '../../core/runs/sampleModelBudget';
import type { RunsService } from './runsService';
import { refuseUntrusted } from '../workspaceTrust';

/** The sample folders a first run needs (the generator, defect files and the PHI test set stay behind). */
const SAMPLE_PARTS = ['README.md', 'model', 'uti', 'triage', 'reasoning', 'summarization', 'labeling'];
export const SAMPLE_FOLDER = 'clinical-ft-sample';
/** Left in a new sample folder before the window opens it there: the reopened window starts the run. */
const START_MARKER = path.join('.clinical-ft', 'start-sample-run');

/**
 * "Try it on the sample data": copies the bundled synthetic datasets and sample model into the workspace
 * (or into a folder the person picks, which then opens) and starts a short SFT run on the triage set with
 * the settings the sample model learns with — loss curve, eval loss and a checkpoint in about a minute.
 */
export async function trySampleData(svc: RunsService): Promise<string | undefined> {
  if (refuseUntrusted('Trying the sample data', 'it starts a local training process')) return undefined;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!ws) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Copy the sample data here', title: 'Where should the sample folder go?' });
    if (!picked?.[0]) return undefined;
    const target = path.join(picked[0].fsPath, SAMPLE_FOLDER);
    copySamples(svc.extensionPath, target);
    fs.mkdirSync(path.dirname(path.join(target, START_MARKER)), { recursive: true });
    fs.writeFileSync(path.join(target, START_MARKER), '');
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target));
    return undefined;
  }
  const samples = fs.existsSync(path.join(ws, START_MARKER)) ? ws : path.join(ws, SAMPLE_FOLDER);
  fs.rmSync(path.join(ws, START_MARKER), { force: true });
  if (!fs.existsSync(path.join(samples, 'model', 'config.json'))) copySamples(svc.extensionPath, samples);
  const id = await svc.manager.start(sampleRunConfig(samples), (created) => svc.expectRun(created));
  svc.followNewRun(id);
  return id;
}

/** A window opened on a new sample folder starts its run without another click. */
export function pendingSampleRun(): boolean {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return ws !== undefined && fs.existsSync(path.join(ws, START_MARKER));
}

export function sampleRunConfig(samples: string): RunConfig {
  const b = SAMPLE_MODEL_SFT;
  return RunConfig.parse({
    method: 'sft',
    model: path.join(samples, 'model'),
    data: path.join(samples, 'triage', 'triage.train.sft.jsonl'),
    evalData: path.join(samples, 'triage', 'triage.eval.sft.jsonl'),
    steps: b.steps,
    lr: b.lr,
    batchSize: b.batchSize,
    maxLength: b.maxLength,
    lora: { r: b.lora.r, alpha: b.lora.alpha, targets: [...b.lora.targets] },
    warmupSteps: 10,
    scheduler: 'linear',
    evalEvery: 50,
    saveEvery: 50,
  });
}

function copySamples(extensionPath: string, target: string): void {
  const from = path.join(extensionPath, 'datasets-sample');
  fs.mkdirSync(target, { recursive: true });
  for (const part of SAMPLE_PARTS) {
    if (fs.existsSync(path.join(from, part))) fs.cpSync(path.join(from, part), path.join(target, part), { recursive: true, errorOnExist: false, force: false });
  }
}
