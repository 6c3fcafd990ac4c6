import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../../core/runConfig';
import { engineRefusals, formatRefusals } from '../../core/engineSupport';
import { dataKindOf } from '../../core/preferences/methods';
import { writeFileAtomic } from '../../core/node/atomicWrite';
import { TRAIN_PY } from './trainPy';
import { expectedMetricNames, HandoffError, loraArgs, trainingArgs, TRL_CLASSES, type HandoffOptions, type YamlValue } from './trlArgs';
import { preferenceRows } from './preferenceRows';
import { accelerateConfig, launchSh, readme, requirementsTxt, slurmSbatch, toYaml } from './jobFiles';

export const JOB_FILES = {
  trainPy: 'train.py',
  trlConfig: 'trl_config.yaml',
  accelerate: 'accelerate.yaml',
  requirements: 'requirements.txt',
  launch: 'launch.sh',
  slurm: 'slurm.sbatch',
  readme: 'README.md',
  data: 'data',
  startAdapter: 'start_adapter',
} as const;

/** The pinned top-level packages: the same list as scripts/python-requirements.txt (a unit test keeps them equal). */
export const PINNED_PACKAGES = ['torch==2.7.1', 'transformers==4.53.3', 'trl==0.19.1', 'peft==0.16.0', 'accelerate==1.8.1', 'tokenizers==0.21.4', 'safetensors==0.5.3', 'datasets==3.6.0', 'pyyaml==6.0.2'];

export function pinnedPackages(): string[] {
  return [...PINNED_PACKAGES];
}

/** Refuses, naming the field, what this job cannot run; returns the config as the TRL engine records it. */
export function checkForHandoff(config: RunConfig, opts: HandoffOptions): RunConfig {
  const trl: RunConfig = { ...config, engine: 'trl' };
  const refusals = engineRefusals(trl);
  if (refusals.length > 0) throw new HandoffError(formatRefusals(refusals, 'trl'));
  if (config.loadIn4bit && opts.mode === 'cpu') throw new HandoffError('loadIn4bit: QLoRA loads the base in 4 bits with bitsandbytes on CUDA GPUs; --accelerate cpu cannot run it (use single-gpu, multi-gpu or fsdp, or drop loadIn4bit)');
  if (!Number.isInteger(opts.numProcesses) || opts.numProcesses < 1) throw new HandoffError(`--num-processes: ${opts.numProcesses} is not a positive whole number`);
  if (opts.mode === 'single-gpu' && opts.numProcesses !== 1) throw new HandoffError(`--num-processes: single-gpu runs one process, not ${opts.numProcesses} (use multi-gpu)`);
  for (const [field, file] of [['data', config.data], ['evalData', config.evalData]] as const) {
    if (file !== undefined && !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new HandoffError(`${field}: ${file} is not a file`);
  }
  if (config.adapter !== undefined && !fs.existsSync(path.join(config.adapter, 'adapter_config.json'))) throw new HandoffError(`adapter: ${config.adapter} has no adapter_config.json`);
  trainingArgs(trl, opts);
  return trl;
}

/**
 * Writes a self-contained TRL job folder (datasets and a starting adapter copied in, the model referenced
 * by path) into `outDir`, which must not exist yet. Built beside it and renamed, so it appears whole.
 * SFT data is copied as it is; preference data is written as the rows the built-in engine's loader makes of it
 * (labels applied, pairs unpaired for KTO: preferenceRows.ts), and `notes` says what that conversion did.
 */
export async function writeHandoffJob(config: RunConfig, outDir: string, opts: HandoffOptions & { slurm: boolean }): Promise<{ files: string[]; notes: string[] }> {
  const trl = checkForHandoff(config, opts);
  const out = path.resolve(outDir);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new HandoffError(`--out: ${out} already exists and is not empty`);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, JOB_FILES.data), { recursive: true });
  const notes: string[] = [];
  try {
    const copyData = async (file: string, name: string) => {
      if (trl.method === 'sft') {
        const rel = `${JOB_FILES.data}/${name}`;
        fs.copyFileSync(file, path.join(tmp, rel));
        return rel;
      }
      // Converted rows carry no labels any more: not named *.prefs.jsonl, which would read as an unlabeled labeling file.
      const rel = `${JOB_FILES.data}/${name.replace(/(\.(prefs|dpo|kto))?\.jsonl$/i, '')}.${dataKindOf(trl.method)}.jsonl`;
      {
        const rows = await preferenceRows(trl, file);
        writeFileAtomic(path.join(tmp, rel), rows.lines.map((l) => `${l}\n`).join(''));
        if (rows.note) notes.push(rows.note);
      }
      return rel;
    };
    const train = await copyData(trl.data, `train-${path.basename(trl.data)}`);
    const evalRel = trl.evalData ? await copyData(trl.evalData, `eval-${path.basename(trl.evalData)}`) : undefined;
    if (trl.adapter) fs.cpSync(trl.adapter, path.join(tmp, JOB_FILES.startAdapter), { recursive: true });
    const gpu = opts.mode !== 'cpu';
    const job: Record<string, YamlValue> = {
      method: trl.method,
      trl: { ...TRL_CLASSES[trl.method] },
      model: {
        path: trl.model,
        dtype: gpu ? 'bfloat16' : 'float32',
        load_in_4bit: trl.loadIn4bit,
        ...(trl.adapter ? { adapter: JOB_FILES.startAdapter } : {}),
      },
      data: { train, ...(evalRel ? { eval: evalRel } : {}) },
      eval_at_end: trl.evalData !== undefined,
      metric_names: expectedMetricNames(trl),
      training: trainingArgs(trl, opts),
      lora: loraArgs(trl),
      run: JSON.parse(JSON.stringify(trl)) as YamlValue,
    };
    const write = (name: string, text: string, mode = 0o644) => {
      writeFileAtomic(path.join(tmp, name), text);
      fs.chmodSync(path.join(tmp, name), mode);
    };
    write(JOB_FILES.trainPy, TRAIN_PY, 0o755);
    write(JOB_FILES.trlConfig, `# clinical-ft handoff: training = ${TRL_CLASSES[trl.method].config} kwargs, lora = peft.LoraConfig kwargs, run = our run config\n${toYaml(job)}`);
    write(JOB_FILES.accelerate, toYaml(accelerateConfig(opts)));
    write(JOB_FILES.requirements, requirementsTxt(pinnedPackages(), opts.mode, trl.loadIn4bit));
    write(JOB_FILES.launch, launchSh(opts), 0o755);
    if (opts.slurm) write(JOB_FILES.slurm, slurmSbatch(trl, opts), 0o755);
    write(JOB_FILES.readme, readme(trl, opts, { data: [trl.data, ...(trl.evalData ? [trl.evalData] : [])], slurm: opts.slurm, notes }));
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { files: fs.readdirSync(out).sort(), notes };
}
