// "Import run results": a run folder copied back from a GPU server (a TRL job folder after launch.sh, or any
// clinical-ft run folder) is checked, then copied into the runs folder so the Runs view, dashboard and Compare
// read it like a local run. Everything read here came from elsewhere: parsed and bounded, never trusted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MetricsRecord } from '../metrics';
import { RUN_FILES, RunRecord } from '../runFolder';
import { readSmallFile, writeFileAtomic } from './atomicWrite';

export const TRAINER_STATE = 'trainer_state.json';
const MAX_STATE_BYTES = 64 * 2 ** 20;
const MAX_RUN_JSON_BYTES = 4 * 2 ** 20;
const MAX_SAFETENSORS_HEADER = 100 * 2 ** 20;
const LORA_KEY = /^base_model\.model\.model\.layers\.\d+\.(self_attn|mlp)\.[a-z_]+\.lora_[AB]\.weight$/;
/** TRL/transformers log lines that are summaries or timings, not per-step metrics (as train.py drops them). */
const SUMMARY_KEYS = ['train_runtime', 'train_samples_per_second', 'train_steps_per_second', 'total_flos', 'train_loss'];

export interface ImportPlan {
  record: RunRecord;
  /** Where the metrics come from: our metrics.jsonl, or transformers' trainer_state.json log_history. */
  metrics: { from: 'metrics.jsonl'; lines: number } | { from: 'trainer_state.json'; records: MetricsRecord[] } | { from: 'none' };
  adapter: string | undefined;
  trainerState: string | undefined;
}

export type ImportCheck = { ok: true; plan: ImportPlan } | { ok: false; problems: string[] };

/** The newest trainer_state.json: top level, else the last checkpoints/checkpoint-N (transformers' layout). */
function findTrainerState(dir: string): string | undefined {
  const top = path.join(dir, TRAINER_STATE);
  if (fs.existsSync(top)) return top;
  const ck = path.join(dir, RUN_FILES.checkpoints);
  if (!fs.existsSync(ck)) return undefined;
  const steps = fs
    .readdirSync(ck)
    .map((n) => /^checkpoint-(\d+)$/.exec(n))
    .flatMap((m) => (m ? [{ name: m[0], step: Number(m[1]) }] : []))
    .sort((a, b) => b.step - a.step);
  for (const s of steps) {
    const f = path.join(ck, s.name, TRAINER_STATE);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

/** transformers' log_history as our metrics lines (the same names: TRL logs them, we follow TRL). */
export function metricsFromTrainerState(text: string, file: string): { ok: true; records: MetricsRecord[] } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `${file}: not JSON (${(e as Error).message})` };
  }
  const history = (raw as { log_history?: unknown })?.log_history;
  if (!Array.isArray(history)) return { ok: false, problem: `${file}: field log_history: missing or not a list` };
  const records: MetricsRecord[] = [];
  for (const entry of history as unknown[]) {
    if (!entry || typeof entry !== 'object' || SUMMARY_KEYS.some((k) => k in entry)) continue;
    const rec: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry as Record<string, unknown>)) if (typeof v === 'number') rec[k] = Number.isFinite(v) ? v : null;
    // An entry without step and epoch (or with neither a loss nor an eval metric) has nothing to plot.
    const parsed = MetricsRecord.safeParse(rec);
    if (parsed.success && ('loss' in rec || Object.keys(rec).some((k) => k.startsWith('eval_')))) records.push(parsed.data);
  }
  return { ok: true, records };
}

/** An adapter folder in PEFT format: adapter_config.json (LORA) and a safetensors file of LoRA tensors only. */
export function checkAdapterFolder(dir: string): string[] {
  const problems: string[] = [];
  const cfgFile = path.join(dir, 'adapter_config.json');
  const cfgText = readSmallFile(cfgFile, 2 ** 20);
  if (cfgText === undefined) return [`${cfgFile}: missing (an adapter folder needs adapter_config.json)`];
  try {
    const cfg = JSON.parse(cfgText) as Record<string, unknown>;
    if (cfg.peft_type !== 'LORA') problems.push(`${cfgFile}: field peft_type: "${String(cfg.peft_type)}", expected "LORA"`);
    if (typeof cfg.r !== 'number' || cfg.r <= 0) problems.push(`${cfgFile}: field r: missing or not a positive number`);
  } catch (e) {
    problems.push(`${cfgFile}: not JSON (${(e as Error).message})`);
  }
  const st = path.join(dir, 'adapter_model.safetensors');
  let fd: number | undefined;
  try {
    fd = fs.openSync(st, 'r');
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(8);
    if (fs.readSync(fd, head, 0, 8, 0) !== 8) throw new Error('shorter than its 8-byte header length');
    const n = Number(head.readBigUInt64LE(0));
    if (n <= 0 || n > MAX_SAFETENSORS_HEADER || 8 + n > size) throw new Error(`header length ${n} does not fit the file (${size} bytes)`);
    const json = Buffer.alloc(n);
    fs.readSync(fd, json, 0, n, 8);
    const header = JSON.parse(json.toString('utf8')) as Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown }>;
    const keys = Object.keys(header).filter((k) => k !== '__metadata__');
    if (keys.length === 0) throw new Error('holds no tensors');
    const foreign = keys.filter((k) => !LORA_KEY.test(k));
    if (foreign.length) throw new Error(`tensor ${foreign[0]} is not a LoRA weight of PEFT's layout (base_model.model.model.layers.N.….lora_A/B.weight)`);
    for (const k of keys) {
      const off = header[k].data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !(Number(off[1]) <= size - 8 - n)) throw new Error(`tensor ${k}: data_offsets ${JSON.stringify(off)} lie outside the file`);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    problems.push(`${st}: ${err.code === 'ENOENT' ? 'missing' : err.message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return problems;
}

/** Checks a folder copied back from a server; every problem names its file and field. */
export function checkImport(dir: string): ImportCheck {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return { ok: false, problems: [`${dir}: not a folder`] };
  const problems: string[] = [];
  // As written on the server: whether its pid lives on this machine says nothing about that run.
  const runJson = path.join(dir, RUN_FILES.runJson);
  const text = readSmallFile(runJson, MAX_RUN_JSON_BYTES);
  if (text === undefined) return { ok: false, problems: [`${runJson}: missing — import the run folder itself (the job folder after launch.sh ran), which holds run.json`] };
  let parsed: ReturnType<typeof RunRecord.safeParse>;
  try {
    parsed = RunRecord.safeParse(JSON.parse(text));
  } catch (e) {
    return { ok: false, problems: [`${runJson}: not JSON (${(e as Error).message})`] };
  }
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${runJson}: field ${i.path.join('.') || '(root)'}: ${i.message}`) };
  const record = parsed.data;
  if (record.status === 'running' || record.status === 'queued') {
    problems.push(`${path.join(dir, RUN_FILES.runJson)}: field status: "${record.status}" — the run has not ended on the server; copy the folder back once it has`);
  }
  const trainerState = findTrainerState(dir);
  let metrics: ImportPlan['metrics'] = { from: 'none' };
  const metricsFile = path.join(dir, RUN_FILES.metrics);
  if (fs.existsSync(metricsFile)) {
    const lines = fs.readFileSync(metricsFile, 'utf8').split('\n');
    let good = 0;
    lines.forEach((l, i) => {
      if (!l.trim()) return;
      let raw: unknown;
      try {
        raw = JSON.parse(l);
      } catch {
        // A torn last line is tolerated everywhere; a broken line elsewhere is not a metrics file.
        if (i < lines.length - 1 && lines.slice(i + 1).some((x) => x.trim())) problems.push(`${metricsFile}: line ${i + 1}: not JSON`);
        return;
      }
      const p = MetricsRecord.safeParse(raw);
      if (p.success) good++;
      else problems.push(`${metricsFile}: line ${i + 1}: field ${p.error.issues[0]?.path.join('.') || '(root)'}: ${p.error.issues[0]?.message}`);
    });
    metrics = { from: 'metrics.jsonl', lines: good };
  } else if (trainerState) {
    const text = readSmallFile(trainerState, MAX_STATE_BYTES);
    const m = text === undefined ? { ok: false as const, problem: `${trainerState}: unreadable or larger than 64 MB` } : metricsFromTrainerState(text, trainerState);
    if (m.ok) metrics = { from: 'trainer_state.json', records: m.records };
    else problems.push(m.problem);
  }
  const adapterDir = path.join(dir, RUN_FILES.adapter);
  const hasAdapter = fs.existsSync(adapterDir);
  if (hasAdapter) problems.push(...checkAdapterFolder(adapterDir));
  else if (record.status === 'completed') problems.push(`${adapterDir}: missing, but run.json says completed — the final adapter was not copied back`);
  if (metrics.from === 'none' && !hasAdapter) problems.push(`${dir}: neither metrics.jsonl, trainer_state.json nor adapter/ — nothing to import`);
  return problems.length ? { ok: false, problems } : { ok: true, plan: { record, metrics, adapter: hasAdapter ? adapterDir : undefined, trainerState } };
}

/**
 * Copies a checked import into `runsRoot/<id>` (id: the run's own, or with -imported-N when taken): metrics,
 * the adapter, trainer_state.json and trainer.log; run.json last, so the run appears only once whole.
 */
export function importRunFolder(source: string, plan: ImportPlan, runsRoot: string): string {
  const base = plan.record.id.replace(/[^\w.-]/g, '_') || 'imported';
  let id = base;
  for (let i = 1; fs.existsSync(path.join(runsRoot, id)); i++) id = `${base}-imported${i > 1 ? `-${i}` : ''}`;
  const dir = path.join(runsRoot, id);
  fs.mkdirSync(dir, { recursive: true });
  try {
    if (plan.metrics.from === 'metrics.jsonl') fs.copyFileSync(path.join(source, RUN_FILES.metrics), path.join(dir, RUN_FILES.metrics));
    else if (plan.metrics.from === 'trainer_state.json') writeFileAtomic(path.join(dir, RUN_FILES.metrics), plan.metrics.records.map((r) => JSON.stringify(r)).join('\n') + (plan.metrics.records.length ? '\n' : ''));
    if (plan.adapter) {
      fs.mkdirSync(path.join(dir, RUN_FILES.adapter));
      for (const f of ['adapter_config.json', 'adapter_model.safetensors']) fs.copyFileSync(path.join(plan.adapter, f), path.join(dir, RUN_FILES.adapter, f));
    }
    if (plan.trainerState) fs.copyFileSync(plan.trainerState, path.join(dir, TRAINER_STATE));
    if (fs.existsSync(path.join(source, RUN_FILES.log))) fs.copyFileSync(path.join(source, RUN_FILES.log), path.join(dir, RUN_FILES.log));
    fs.appendFileSync(path.join(dir, RUN_FILES.log), `${new Date().toISOString()} INFO  Imported from ${source} (${plan.metrics.from === 'none' ? 'no metrics' : `metrics from ${plan.metrics.from}`}${plan.adapter ? ', adapter/' : ''})\n`);
    const record: RunRecord = { ...plan.record, id };
    writeFileAtomic(path.join(dir, RUN_FILES.runJson), `${JSON.stringify(record, null, 2)}\n`);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return id;
}
