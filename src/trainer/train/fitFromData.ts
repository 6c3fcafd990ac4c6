// `clinical-ft train` without --steps/--epochs: the settings not given are fitted to the model and the data by the
// same function the Start run review uses (src/core/runs/fittedDefaults.ts), from the same measurements.
import type { RunConfigInput } from '../../core/runConfig';
import { fitDefaults, type DefaultsFacts, type FittedDefaults } from '../../core/runs/fittedDefaults';
import { fittedConfig } from '../../core/runs/runDefaults';
import { parameterCount } from '../../core/memory/memoryEstimate';
import { modelShape } from '../engine/memoryPreflight';
import { exampleLengths } from '../preflight/preflightFacts';
import { configFromFlags } from './configFromFlags';
import type { Method } from '../../core/preferences/methods';

/** The facts fitDefaults needs, measured with the trainer's reader and renderer. */
export async function defaultsFacts(model: string, data: string, method: Method): Promise<DefaultsFacts> {
  const { text, examples } = await exampleLengths(model, data, method);
  return { method, parameters: parameterCount(modelShape(text.config)), maxPositions: text.config.maxPositionEmbeddings, records: examples.length, lengths: examples.map((e) => e[1]) };
}

/**
 * Fitted settings for a train command that names neither steps nor epochs (a resume keeps its run.json); flags
 * and --config values given still win one by one. Undefined when the command is explicit about its length.
 */
export async function fittedForFlags(flags: Record<string, string | boolean>): Promise<{ config: Partial<RunConfigInput>; fitted: FittedDefaults } | undefined> {
  if (flags.resume === true) return undefined;
  const probe = configFromFlags(flags);
  if (probe.steps !== undefined || probe.epochs !== undefined) return undefined;
  const fitted = fitDefaults(await defaultsFacts(probe.model, probe.data, probe.method));
  return { config: { ...fittedConfig(fitted), ...(probe.evalData ? { evalEvery: fitted.saveEvery } : {}) }, fitted };
}
