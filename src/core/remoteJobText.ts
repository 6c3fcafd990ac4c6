import type { RunConfig } from './runConfig';

/**
 * The confirmation before a job folder with datasets is written for another machine: names every file that
 * will be copied and says plainly that it leaves this machine and may hold PHI. One owner for the wording,
 * used by "Export for a GPU server" and "Submit to SLURM".
 */
export function exportConfirmation(config: RunConfig, out: string, where: 'export' | 'slurm'): { message: string; detail: string; button: string } {
  const files = [config.data, ...(config.evalData ? [config.evalData] : []), ...(config.adapter ? [`${config.adapter} (starting adapter)`] : [])];
  const dest = where === 'export' ? 'a GPU server' : 'the SLURM cluster';
  return {
    message: `Copy ${files.length === 1 ? 'this dataset' : `these ${files.length} files`} into a job folder for ${dest}?`,
    detail: [
      ...files,
      '',
      `They are copied into ${out} and leave this machine when the folder goes to ${dest}. Clinical datasets may hold PHI: copy them only to a machine approved for that data.`,
      `The base model is referenced by path (${config.model}), not copied.`,
    ].join('\n'),
    button: where === 'export' ? 'Export' : 'Submit',
  };
}
