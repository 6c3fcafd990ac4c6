import * as fs from 'node:fs';
import * as path from 'node:path';

/** Run folders are a few levels deep (checkpoints/step-N/adapter/...); deeper trees are not walked. */
const MAX_DEPTH = 6;

/**
 * Refuses a run folder that contains a symbolic link anywhere inside it: a trainer resuming there would
 * write its log, metrics, checkpoints or adapter through the link to wherever it points.
 */
export function assertNoLinksInside(dir: string): void {
  const walk = (rel: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return;
      throw e;
    }
    for (const d of entries) {
      const child = rel ? path.join(rel, d.name) : d.name;
      if (d.isSymbolicLink()) {
        let target = '?';
        try {
          target = fs.readlinkSync(path.join(dir, child));
        } catch {
          // Only for the message.
        }
        throw new Error(`${dir}: ${child} is a symbolic link (to ${target}); a run folder must not contain links, because the trainer would write through them. Remove the link and try again.`);
      }
      if (d.isDirectory() && depth < MAX_DEPTH) walk(child, depth + 1);
    }
  };
  walk('', 0);
}
