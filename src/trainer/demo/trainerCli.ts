// Runs the product's own CLI (dist/trainer.js train …) as a child process, as a user would, with its
// output appended to a log file so the demo's console stays one line per stage.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * BLAS threads for each of `jobs` trainers that run at once: the cores shared out between them. Each trainer
 * otherwise takes every core, and oversubscribed BLAS threads wait on each other (two sample-model trainers on
 * 2 cores: 17–21 s with 2 threads each, 12–13 s with 1). A CLINICAL_FT_BLAS_THREADS the person set is kept.
 */
export function trainerEnv(jobs: number, env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): NodeJS.ProcessEnv {
  if (env.CLINICAL_FT_BLAS_THREADS) return env;
  return { ...env, CLINICAL_FT_BLAS_THREADS: String(Math.max(1, Math.floor(cores / Math.max(1, jobs)))) };
}

/** `jobs`: how many trainers run at the same time as this one (see trainerEnv). */
export async function runTrainerCli(trainerJs: string, args: string[], logFile: string, jobs: number): Promise<void> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  fs.writeSync(log, `$ node ${path.basename(trainerJs)} ${args.join(' ')}\n`);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = cp.spawn(process.execPath, [trainerJs, ...args], { stdio: ['ignore', log, log], env: trainerEnv(jobs) });
      child.on('error', reject);
      child.on('exit', (c) => resolve(c));
    });
    if (code !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n');
      throw new Error(`clinical-ft ${args[0]} exited with ${code}; last lines of ${logFile}:\n${tail}`);
    }
  } finally {
    fs.closeSync(log);
  }
}
