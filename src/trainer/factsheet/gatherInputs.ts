// Reads everything a fact sheet says out of the run folder and what it points at: run.json, metrics.jsonl,
// trainer.log's truncation counts, the base model's and adapter's weight files (sha256), the data files
// (validator summary, PHI by kind, train/eval leakage), evaluation results of this run and the compared
// ones, preference labels with two annotators, and this machine's environment.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readMetrics, readRunRecord } from '../../core/node/runFolderReader';
import { RUN_FILES } from '../../core/runFolder';
import { validateFile } from '../../core/node/validateFile';
import { checkLeakage } from '../../core/node/leakage';
import { annotatorAgreement } from '../../core/labels/agreement';
import { parsePrefsText } from '../../core/labels/prefsRecord';
import { methodName } from '../../core/factsheet/document';
import type { AgreementFacts, DataFileFacts, EvaluationFacts, FactSheetInputs, TrainingFacts } from '../../core/factsheet/inputs';
import type { EnvironmentReport } from '../../core/protocol/environment';
import { fileDigest } from './fileDigest';
import { runEvaluations } from './runEvaluations';

export class FactSheetError extends Error {}

export interface GatherOptions {
  run: string;
  compare: string[];
  labels: string[];
  environment: () => Promise<EnvironmentReport | null>;
  now?: Date;
}

function readRun(dir: string) {
  if (!fs.existsSync(path.join(dir, RUN_FILES.runJson))) return undefined;
  const r = readRunRecord(dir, { fixUp: false });
  if (!r.ok) throw new FactSheetError(r.error);
  return r.record;
}

async function weightFiles(dir: string, names: (n: string) => boolean): Promise<FactSheetInputs['adapterWeights']> {
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).filter(names).sort();
  const out = [];
  for (const f of files) out.push(await fileDigest(path.join(dir, f)));
  return out;
}

function baseModelFacts(dir: string): { name: string; architecture: string | null } {
  try {
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { architectures?: unknown; _name_or_path?: unknown };
    const arch = Array.isArray(cfg.architectures) && typeof cfg.architectures[0] === 'string' ? cfg.architectures[0] : null;
    const name = typeof cfg._name_or_path === 'string' && cfg._name_or_path ? cfg._name_or_path : path.basename(path.resolve(dir));
    return { name, architecture: arch };
  } catch {
    return { name: path.basename(path.resolve(dir)), architecture: null };
  }
}

async function dataFacts(file: string, role: DataFileFacts['role'], trainFiles: string[] = []): Promise<DataFileFacts | undefined> {
  if (!fs.existsSync(file)) return undefined;
  const digest = await fileDigest(file);
  const v = await validateFile(file, { format: 'auto', phi: true, maxIssues: 1_000_000 });
  const all = [...v.errors, ...v.warnings];
  const phiByKind: Record<string, number> = {};
  for (const w of all) if (w.code.startsWith('phi_')) phiByKind[w.code.slice(4)] = (phiByKind[w.code.slice(4)] ?? 0) + 1;
  const leakage: NonNullable<DataFileFacts['leakage']> = [];
  for (const train of role === 'eval' ? trainFiles.filter((t) => fs.existsSync(t)) : []) {
    const leaks = await checkLeakage(train, file);
    leakage.push({ against: train, exact: leaks.filter((l) => l.code === 'leakage_exact').length, near: leaks.filter((l) => l.code === 'leakage_near').length });
  }
  return {
    ...digest,
    role,
    format: v.format ?? null,
    records: v.records,
    errors: v.errors.length + (v.omittedErrors ?? 0),
    duplicates: all.filter((w) => w.code === 'duplicate_record' || w.code === 'duplicate_id').length,
    phiByKind,
    ...(role === 'eval' ? { leakage } : {}),
  };
}

function trainingFacts(dir: string, record: { untrainedExamples?: { train: number; eval: number } }): TrainingFacts {
  const m = readMetrics(dir);
  const series = (key: string) => m.records.flatMap((r): [number, number][] => (typeof r[key] === 'number' ? [[r.step, r[key] as number]] : []));
  const truncated = { train: 0, eval: 0 };
  const log = path.join(dir, RUN_FILES.log);
  if (fs.existsSync(log)) {
    // runTraining.ts logs one line per set when examples were cut: "N training example(s) longer than --max-length L …".
    for (const match of fs.readFileSync(log, 'utf8').matchAll(/(\d+) (training|eval) example\(s\) longer than --max-length/g)) {
      truncated[match[2] === 'training' ? 'train' : 'eval'] = Number(match[1]);
    }
  }
  return {
    loss: series('loss'),
    evalLoss: series('eval_loss'),
    rewardAccuracy: series('rewards/accuracies'),
    evalRewardAccuracy: series('eval_rewards/accuracies'),
    truncated,
    ...(record.untrainedExamples ? { untrained: record.untrainedExamples } : {}),
    badMetricLines: m.badLines.length,
  };
}

/** Labeled records per annotator of one prefs text. */
function byAnnotator(text: string): Map<string, string[]> {
  const lines = text.split(/\r?\n/);
  const out = new Map<string, string[]>();
  parsePrefsText(text).forEach((rec, i) => {
    if (rec.kind !== 'pair' || rec.label === undefined || rec.annotator === undefined) return;
    out.set(rec.annotator, [...(out.get(rec.annotator) ?? []), lines[i]]);
  });
  return out;
}

async function agreementFacts(labelFiles: string[], dpoData: string | undefined): Promise<{ agreement: AgreementFacts | null; note: string }> {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch (e) {
      throw new FactSheetError(`cannot read label file ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  if (labelFiles.length === 2) {
    const [a, b] = labelFiles.map(read);
    const r = annotatorAgreement(a, b);
    if (r.shared === 0) return { agreement: null, note: `${path.basename(labelFiles[0])} and ${path.basename(labelFiles[1])} share no labeled record id.` };
    const name = (text: string, f: string) => [...byAnnotator(text).keys()][0] ?? path.basename(f);
    return {
      agreement: { files: [await fileDigest(labelFiles[0]), await fileDigest(labelFiles[1])], annotators: [name(a, labelFiles[0]), name(b, labelFiles[1])], shared: r.shared, kappa: r.kappa, observed: r.observed, disagreements: r.disagreements.length },
      note: '',
    };
  }
  for (const f of [...labelFiles, ...(dpoData ? [dpoData] : [])]) {
    if (!fs.existsSync(f)) continue;
    const text = read(f);
    const groups = [...byAnnotator(text).entries()].sort((x, y) => y[1].length - x[1].length);
    if (groups.length < 2) continue;
    const r = annotatorAgreement(groups[0][1].join('\n'), groups[1][1].join('\n'));
    if (r.shared === 0) continue;
    return { agreement: { files: [await fileDigest(f)], annotators: [groups[0][0], groups[1][0]], shared: r.shared, kappa: r.kappa, observed: r.observed, disagreements: r.disagreements.length }, note: '' };
  }
  return {
    agreement: null,
    note: labelFiles.length
      ? `the label file${labelFiles.length > 1 ? 's' : ''} given (${labelFiles.map((f) => path.basename(f)).join(', ')}) hold no pairs labeled by two annotators.`
      : 'no preference labels from two annotators were found (the run data carries no meta.annotator of two people; pass --labels A.prefs.jsonl --labels B.prefs.jsonl).',
  };
}

export async function gatherInputs(o: GatherOptions): Promise<FactSheetInputs> {
  const record = readRun(o.run);
  if (!record) throw new FactSheetError(`${path.join(o.run, RUN_FILES.runJson)}: not found — --run must be a run folder`);
  const c = record.config;
  const evaluations: EvaluationFacts[] = await runEvaluations(o.run, methodName(c.method));
  for (const dir of o.compare) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new FactSheetError(`--compare ${dir}: not a folder`);
    const other = readRun(dir);
    const found = await runEvaluations(dir, other ? methodName(other.config.method) : 'base');
    if (found.length === 0) throw new FactSheetError(`--compare ${dir}: no evaluation results in it (eval-*.json, metrics.json or eval/*/metrics.json)`);
    evaluations.push(...found);
  }
  const data: DataFileFacts[] = [];
  const train = await dataFacts(c.data, 'train');
  if (train) data.push(train);
  // Lineage: a run that started from another run's adapter also learned that run's training file.
  const startRun = c.adapter ? readRun(path.dirname(path.resolve(c.adapter))) : undefined;
  const trainFiles = [c.data, ...(startRun && path.resolve(startRun.config.data) !== path.resolve(c.data) ? [startRun.config.data] : [])];
  if (trainFiles.length > 1) {
    const start = await dataFacts(trainFiles[1], 'start-train');
    if (start) data.push(start);
  }
  if (c.evalData) {
    const ev = await dataFacts(c.evalData, 'eval', trainFiles);
    if (ev) data.push(ev);
  }
  // Files the run's evaluations used, with the leakage check against the training file.
  for (const ds of [...new Set(evaluations.map((e) => path.resolve(e.dataset)))]) {
    if (data.some((d) => path.resolve(d.path) === ds)) continue;
    const ev = await dataFacts(ds, 'eval', trainFiles);
    if (ev) data.push(ev);
  }
  for (const f of o.labels) {
    const lf = await dataFacts(f, 'labels');
    if (lf) data.push(lf);
  }
  const { agreement, note } = await agreementFacts(o.labels, c.method === 'dpo' ? c.data : undefined);
  const modelDir = c.model;
  return {
    createdAt: (o.now ?? new Date()).toISOString(),
    run: {
      dir: path.resolve(o.run),
      id: record.id,
      status: record.status,
      method: c.method,
      engine: c.engine ?? 'builtin',
      backend: record.backend ?? null,
      threads: record.threads ?? null,
      versions: record.versions,
      startedAt: record.startedAt ?? null,
      endedAt: record.endedAt ?? null,
      startingAdapter: c.adapter ?? null,
      config: c as unknown as Record<string, unknown>,
    },
    baseModel: { dir: modelDir, ...baseModelFacts(modelDir), weights: await weightFiles(modelDir, (n) => n.endsWith('.safetensors') || n === 'model.safetensors.index.json') },
    adapterWeights: await weightFiles(path.join(o.run, RUN_FILES.adapter), (n) => n === 'adapter_model.safetensors' || n === 'adapter_config.json'),
    data,
    training: trainingFacts(o.run, record),
    evaluations,
    agreement,
    agreementNote: note,
    environment: await o.environment(),
  };
}
