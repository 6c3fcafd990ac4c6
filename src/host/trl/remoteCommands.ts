import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunConfig } from '../../core/runConfig';
import { RUN_FILES, type RunRecord } from '../../core/runFolder';
import { exportConfirmation } from '../../core/remoteJobText';
import { checkImport, importRunFolder } from '../../core/node/importRun';
import { newRunId, parseRunConfigFile } from '../../core/runs/runDefaults';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import type { TrlLaunchPlan } from '../../core/trlLaunchPlan';
import { TrustError, assertTrusted, showTrustRefusal } from '../workspaceTrust';
import type { RunsService } from '../runs/runsService';
import type { RunsNode } from '../runs/runsTree';
import { writeTrlJob } from './trlJob';
import { slurmCommand } from './slurmCommand';
import { submitSlurmJob } from './slurmJobs';

type Mode = 'single-gpu' | 'multi-gpu' | 'deepspeed-zero3' | 'fsdp' | 'cpu';

/** Programmatic answers to the questions (tests, other commands); anything missing is asked. */
export interface RemoteJobArgs {
  runId?: string;
  config?: string;
  mode?: Mode;
  numProcesses?: number;
  slurm?: boolean;
  out?: string;
}

const MODES: { mode: Mode; label: string; description: string }[] = [
  { mode: 'multi-gpu', label: 'Multi-GPU (DDP)', description: 'one process per GPU on one node' },
  { mode: 'single-gpu', label: 'Single GPU', description: 'one process' },
  { mode: 'fsdp', label: 'FSDP', description: 'parameters sharded over the GPUs' },
  { mode: 'deepspeed-zero3', label: 'DeepSpeed ZeRO-3', description: 'needs deepspeed (added to requirements.txt)' },
  { mode: 'cpu', label: 'CPU', description: 'processes on CPU (gloo): the only mode verified on this project’s test machine' },
];

/** The run config to send: a run's (from the Runs view or picked) or a *.run.json file. */
async function chooseConfig(svc: RunsService, node: RunsNode | undefined, args: RemoteJobArgs): Promise<RunConfig | undefined> {
  if (args.config) {
    const parsed = parseRunConfigFile(fs.readFileSync(args.config, 'utf8'));
    if (!parsed.ok) throw new Error(`${args.config} is not a usable run config — ${parsed.message}`);
    return parsed.config;
  }
  const id = node?.id ?? args.runId ?? (
    await vscode.window.showQuickPick(
      svc.store.list().filter((e) => e.record).map((e) => ({ label: e.id, description: `${e.view?.method.toUpperCase()} · ${e.view?.dataset} · ${e.view?.status}` })),
      { title: 'Job for which run config?', placeHolder: 'The job trains the same config with TRL' },
    )
  )?.label;
  if (!id) return undefined;
  const record = svc.store.get(id)?.record;
  if (!record) throw new Error(`Run ${id} has no readable run.json.`);
  return record.config;
}

async function choosePlan(args: RemoteJobArgs): Promise<TrlLaunchPlan & { mode: Mode } | undefined> {
  const mode = args.mode ?? (await vscode.window.showQuickPick(MODES, { title: 'Accelerate on the server' }))?.mode;
  if (!mode) return undefined;
  if (mode === 'single-gpu') return { mode, numProcesses: 1 };
  const n =
    args.numProcesses ??
    Number(
      await vscode.window.showInputBox({
        title: 'Processes (GPUs) per node',
        value: mode === 'cpu' ? '2' : '8',
        validateInput: (t) => (/^[1-9]\d*$/.test(t.trim()) ? undefined : 'a whole number of processes, e.g. 8'),
      }),
    );
  return n > 0 ? { mode, numProcesses: n } as TrlLaunchPlan & { mode: Mode } : undefined;
}

/** The modal confirmation naming the files that leave this machine; a dismissed or refused dialog is a no. */
async function confirmDataLeaves(config: RunConfig, out: string, where: 'export' | 'slurm'): Promise<boolean> {
  const c = exportConfirmation(config, out, where);
  const answer = await Promise.resolve(vscode.window.showWarningMessage(c.message, { modal: true, detail: c.detail }, c.button)).catch(() => undefined);
  return answer === c.button;
}

/** "Export for a GPU server": a job folder (datasets included, after the confirmation) for the person to copy. */
export async function exportForGpuServer(svc: RunsService, node?: RunsNode, args: RemoteJobArgs = {}): Promise<{ out: string } | undefined> {
  assertTrusted('Exporting a job for a GPU server');
  const config = await chooseConfig(svc, node, args);
  if (!config) return undefined;
  const plan = await choosePlan(args);
  if (!plan) return undefined;
  const slurm = args.slurm ?? (await vscode.window.showQuickPick([{ label: 'With slurm.sbatch', slurm: true }, { label: 'Without', slurm: false }], { title: 'For a SLURM cluster?' }))?.slurm;
  if (slurm === undefined) return undefined;
  let out = args.out;
  if (!out) {
    const parent = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Write the job folder here' });
    if (!parent?.[0]) return undefined;
    out = path.join(parent[0].fsPath, `${config.method}-${path.basename(config.data).replace(/\.jsonl$/, '')}-trl-job`);
  }
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new Error(`${out} already exists and is not empty: choose another folder.`);
  if (!(await confirmDataLeaves(config, out, 'export'))) return undefined;
  await writeTrlJob(svc.children, config, out, plan, { slurm });
  const sbatch = slurm && slurmCommand('sbatch');
  void vscode.window.showInformationMessage(`Clinical FT: wrote the TRL job ${out} — copy it to the server, run bash launch.sh${slurm ? ' or sbatch slurm.sbatch' : ''}, then "Import run results".`, 'Reveal', ...(sbatch ? ['Submit with sbatch here'] : [])).then((a) => {
    if (a === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(out));
    if (a === 'Submit with sbatch here') void submitSlurmJob(svc.children, out).then((j) => vscode.window.showInformationMessage(`Clinical FT: submitted SLURM job ${j.jobId}.`), (e: unknown) => vscode.window.showErrorMessage(`Clinical FT: ${(e as Error).message}`));
  });
  return { out };
}

/**
 * "Submit to SLURM" (offered only where sbatch is on PATH): the job folder becomes a run folder in the runs
 * folder (queued), is submitted with sbatch, and is followed through squeue / sacct (SlurmWatcher).
 */
export async function submitToSlurm(svc: RunsService, node?: RunsNode, args: RemoteJobArgs = {}): Promise<{ runId: string; jobId: string } | undefined> {
  assertTrusted('Submitting a SLURM job');
  if (!slurmCommand('sbatch')) throw new Error('sbatch is not on PATH in this window: SLURM jobs cannot be submitted from here (use "Export for a GPU server").');
  const config = await chooseConfig(svc, node, args);
  if (!config) return undefined;
  const plan = await choosePlan(args);
  if (!plan) return undefined;
  const root = svc.store.root();
  if (!root) throw new Error('Open a workspace folder first: runs are saved under it.');
  fs.mkdirSync(root, { recursive: true });
  const id = newRunId(config.method, new Date(), (x) => fs.existsSync(path.join(root, x)));
  const dir = path.join(root, id);
  if (!(await confirmDataLeaves(config, dir, 'slurm'))) return undefined;
  await writeTrlJob(svc.children, config, dir, plan, { slurm: true });
  const record: RunRecord = { id, config: { ...config, engine: 'trl' }, status: 'queued', versions: {}, startedAt: new Date().toISOString() };
  writeFileAtomic(path.join(dir, RUN_FILES.runJson), `${JSON.stringify(record, null, 2)}\n`);
  try {
    const job = await submitSlurmJob(svc.children, dir);
    svc.startSlurmWatcher();
    await svc.store.refresh(true);
    void vscode.window.showInformationMessage(`Clinical FT: run ${id} submitted as SLURM job ${job.jobId}; the Runs view follows it.`);
    return { runId: id, jobId: job.jobId };
  } catch (e) {
    writeFileAtomic(path.join(dir, RUN_FILES.runJson), `${JSON.stringify({ ...record, status: 'failed', endedAt: new Date().toISOString(), error: (e as Error).message }, null, 2)}\n`);
    await svc.store.refresh(true);
    throw e;
  }
}

/**
 * "Import run results": a run folder copied back from a server (run.json with metrics.jsonl or
 * trainer_state.json, and the adapter) is checked and copied into the runs folder. Every problem is listed.
 */
export async function importRunResults(svc: RunsService, source?: vscode.Uri): Promise<{ runId: string } | { problems: string[] } | undefined> {
  assertTrusted('Importing run results');
  const dir = source?.scheme === 'file' ? source.fsPath : (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Import this run folder' }))?.[0]?.fsPath;
  if (!dir) return undefined;
  const root = svc.store.root();
  if (!root) throw new Error('Open a workspace folder first: runs are saved under it.');
  const check = checkImport(dir);
  if (!check.ok) {
    svc.output.appendLine(`Import of ${dir} refused:`);
    for (const p of check.problems) svc.output.appendLine(`  ${p}`);
    void vscode.window.showErrorMessage(`Clinical FT: nothing imported — ${check.problems[0]}${check.problems.length > 1 ? ` (and ${check.problems.length - 1} more in the output)` : ''}`);
    return { problems: check.problems };
  }
  fs.mkdirSync(root, { recursive: true });
  const runId = importRunFolder(dir, check.plan, root);
  await svc.store.refresh(true);
  void vscode.window.showInformationMessage(`Clinical FT: imported ${path.basename(dir)} as run ${runId} (${check.plan.record.status}).`);
  return { runId };
}

/**
 * The commands as registered: expected problems (a refused handoff, a missing sbatch, an untrusted workspace)
 * become a message, never a stack trace; the trust refusal explains itself.
 */
export async function asCommand<T>(output: vscode.OutputChannel, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    output.appendLine(`Runs: ${msg}`);
    if (e instanceof TrustError) showTrustRefusal(e);
    else void vscode.window.showErrorMessage(`Clinical FT: ${msg.split('\n')[0]}`);
    return undefined;
  }
}
