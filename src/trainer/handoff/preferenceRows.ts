import type { RunConfig } from '../../core/runConfig';
import { dataKindOf } from '../../core/preferences/methods';
import { DataError, formatPreferenceSummary, formatUnpairedSummary, loadRecords } from '../train/dataLoader';
import { HandoffError } from './trlArgs';

/** A preference dataset as the TRL job reads it: one JSON line per row, and what the conversion did. */
export interface PreferenceRows {
  lines: string[];
  /** Set when labels were applied or pairs unpaired (the loader's own summary line). */
  note?: string;
}

/**
 * The rows a TRL preference trainer trains on, made by the built-in engine's own loader (validation, the PHI gate
 * when the run asks for it, a labeled file's labels, KTO's unpairing), so both engines train on the same examples:
 * `{prompt, completion, label}` for KTOTrainer, `{prompt, chosen, rejected}` for DPO, ORPO and CPO (SimPO).
 */
export async function preferenceRows(config: RunConfig, file: string): Promise<PreferenceRows> {
  const kind = dataKindOf(config.method);
  if (kind === 'sft') throw new Error(`preferenceRows: ${config.method} does not train on preference data`);
  let loaded;
  try {
    loaded = await loadRecords(file, kind, { phiAsErrors: config.phiAsErrors === true });
  } catch (e) {
    if (e instanceof DataError) throw new HandoffError(e.message);
    throw e;
  }
  const withTools = loaded.records.find((r) => r.record.tools !== undefined);
  if (withTools) {
    throw new HandoffError(`${file}:${withTools.line}: field "tools": TRL's preference trainers do not hand tool schemas to the chat template; train this file with the built-in engine (engine: "builtin")`);
  }
  if (loaded.kind === 'kto') {
    return {
      lines: loaded.records.map(({ record: r }) => JSON.stringify({ prompt: r.prompt, completion: r.completion, label: r.label })),
      ...(loaded.unpaired ? { note: formatUnpairedSummary(file, loaded.unpaired) } : {}),
    };
  }
  if (loaded.kind !== 'dpo') throw new Error(`preferenceRows: the loader returned ${loaded.kind} records for ${config.method}`);
  return {
    lines: loaded.records.map(({ record: r }) => JSON.stringify({ prompt: r.prompt, chosen: r.chosen, rejected: r.rejected })),
    ...(loaded.preferences ? { note: formatPreferenceSummary(file, loaded.preferences) } : {}),
  };
}
