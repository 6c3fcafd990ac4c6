// Runs the product's own CLI (dist/trainer.js train …) as a child process, as a user would, with its
// output appended to a log file so the demo's console stays one line per stage.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export async function runTrainerCli(trainerJs: string, args: string[], logFile: string): Promise<void> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  fs.writeSync(log, `$ node ${path.basename(trainerJs)} ${args.join(' ')}\n`);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = cp.spawn(process.execPath, [trainerJs, ...args], { stdio: ['ignore', log, log] });
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
