import { z } from 'zod';
import { RunConfig } from './runConfig';

/**
 * The JSON schema of a `*.run.json` file, generated from the zod RunConfig (the one source) at build time
 * and contributed to VS Code's JSON language service: completion, hover docs and errors while typing.
 */
export function runConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RunConfig, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'Clinical FT run config',
    description: 'A training run for `clinical-ft train --config` and Clinical FT: Start run from config. Relative paths resolve against the workspace folder.',
  };
}
