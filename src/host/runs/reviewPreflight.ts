import type { Method } from '../../core/preferences/methods';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../../core/runConfig';
import type { PreflightFacts } from '../../core/protocol/preflightFacts';
import { siblingEvalSplit } from '../../core/datasets/datasetChoice';
import { fitDefaults } from '../../core/runs/fittedDefaults';
import { buildPreflight, type Preflight, type PreflightContext } from '../../core/runs/preflight';
import { defaultRunConfig, newRunId } from '../../core/runs/runDefaults';
import { measuredSpeed } from '../../core/runs/measuredSpeed';
import { METRIC } from '../../core/metrics';
import { runPreflight } from './preflightChild';
import type { RunsService } from './runsService';
import type { StartFlowSession } from './startFlowSession';

/** What the review needs beside the config: the trainer's measurements and the context rows. */
export interface ReviewBasis {
  facts: PreflightFacts;
  context: PreflightContext;
}

/**
 * Measures the data and the model in a trainer child, fits the defaults to them (the same function as
 * `clinical-ft train`), and picks the held-out split beside the training file. Undefined when cancelled or when
 * the measurement failed (said in a message).
 */
export async function prepareReview(
  svc: RunsService,
  flow: StartFlowSession,
  method: Method,
  paths: { model: string; data: string; adapter?: string },
  phi: PreflightContext['phi'],
): Promise<{ config: RunConfig; basis: ReviewBasis } | undefined> {
  const measured = await flow.working(`Start ${method.toUpperCase()} run: measuring ${path.basename(paths.data)} with ${path.basename(paths.model)}'s tokenizer…`, (token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    return runPreflight(svc.children, paths.model, paths.data, method, abort.signal).finally(() => sub.dispose());
  });
  if (!measured) return undefined;
  if (!measured.ok) {
    svc.output.appendLine(`Pre-flight of ${paths.data} with ${paths.model} failed: ${measured.reason}`);
    void vscode.window.showErrorMessage(`Clinical FT: could not measure ${path.basename(paths.data)} with the model ${path.basename(paths.model)}: ${measured.reason}`);
    return undefined;
  }
  const facts = measured.facts;
  const fitted = fitDefaults({ method, parameters: facts.model.parameters, maxPositions: facts.model.maxPositions, records: facts.data.examples.length, lengths: facts.data.examples.map((e) => e[1]) });
  const evalData = siblingEvalSplit(paths.data, (f) => fs.existsSync(f));
  const config = defaultRunConfig(method, { ...paths, ...(evalData ? { evalData } : {}) }, fitted);
  const speed = speedFor(svc, paths.model);
  const runName = newRunId(method, new Date(), (id) => svc.store.get(id) !== undefined);
  return { config, basis: { facts, context: { runName, ...(phi ? { phi } : {}), ...(speed ? { speed } : {}) } } };
}

export function preflightFor(config: RunConfig, basis: ReviewBasis): Preflight {
  return buildPreflight(config, basis.facts, basis.context);
}

/** The pre-flight as review rows: a warning icon where the person should look, the detail under each. */
export function preflightItems(p: Preflight): vscode.QuickPickItem[] {
  return p.rows.map((r) => ({ label: `${r.level === 'warning' ? '$(warning)' : '$(info)'} ${r.label}: ${r.value}`, ...(r.detail ? { detail: r.detail } : {}) }));
}

/** Tokens/s of the newest completed run of this model on this machine (median of its logged steps). */
function speedFor(svc: RunsService, model: string): PreflightContext['speed'] {
  for (const e of svc.store.list()) {
    if (e.record?.status !== 'completed' || path.resolve(e.record.config.model) !== path.resolve(model)) continue;
    const file = path.join(e.dir, 'metrics.jsonl');
    if (!fs.existsSync(file)) continue;
    const tps = measuredSpeed(readTail(file, 256 * 1024), METRIC.tokensPerSecond);
    if (tps !== undefined) return { tokensPerSecond: tps, from: `in run ${e.id}` };
  }
  return undefined;
}

function readTail(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
