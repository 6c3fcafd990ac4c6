import * as os from 'node:os';
import * as vscode from 'vscode';
import type { RunConfig } from '../../core/runConfig';
import { describePlan, localLaunchPlan } from '../../core/trlLaunchPlan';
import type { StartFlowSession } from './startFlowSession';
import { trlAvailability, type TrlAvailability } from '../trl/pythonStackHost';

export const ENGINE_LABELS: Record<RunConfig['engine'], string> = { builtin: 'Built-in (TensorFlow.js)', trl: 'TRL (Python)' };
export const ENGINE_KEY = 'engine';

function trlDescription(stack: Extract<TrlAvailability, { ok: true }>, config: RunConfig): string {
  return `TRL ${stack.report.packages.trl} + PEFT ${stack.report.packages.peft} under Accelerate · ${describePlan(localLaunchPlan(stack.report, os.cpus().length, config.batchSize, config.method))}`;
}

/**
 * The review's Engine row, present only when the TRL engine can run here (clinicalFt.pythonPath or the pinned
 * venv has the stack): without it every run is built-in and nothing asks.
 */
export async function engineReviewRow(config: RunConfig): Promise<(vscode.QuickPickItem & { key: string })[]> {
  const stack = await trlAvailability();
  if (!stack.ok && config.engine === 'builtin') return [];
  const detail = stack.ok ? (config.engine === 'trl' ? trlDescription(stack, config) : 'or TRL (Python): pick to choose') : `TRL engine unavailable: ${stack.reason}`;
  return [{ label: 'Engine', description: ENGINE_LABELS[config.engine], detail, key: ENGINE_KEY }];
}

/** The engine picker behind the Engine row; undefined when the person cancelled. */
export async function pickEngine(flow: StartFlowSession, config: RunConfig): Promise<RunConfig | undefined> {
  const stack = await trlAvailability();
  const items: (vscode.QuickPickItem & { engine: RunConfig['engine'] })[] = [
    { label: ENGINE_LABELS.builtin, description: 'this machine, inside the extension', engine: 'builtin' },
    ...(stack.ok ? [{ label: ENGINE_LABELS.trl, description: trlDescription(stack, config), detail: stack.python, engine: 'trl' as const }] : []),
  ];
  const picked = await flow.choose({ title: 'Training engine', placeholder: 'Who trains this run', active: (i) => i.engine === config.engine }, items);
  return picked ? { ...config, engine: picked.engine } : undefined;
}
