import * as fs from 'node:fs';
import * as path from 'node:path';
import { onPath } from '../../core/slurm';

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * The SLURM command on this machine's PATH (looked up at each use: a module load may add it later).
 * Its own module because activation asks it, and slurmJobs.ts reaches zod through the run-folder reader.
 */
export const slurmCommand = (name: 'sbatch' | 'squeue' | 'sacct'): string | undefined => onPath(name, process.env.PATH, executable, path.delimiter);
