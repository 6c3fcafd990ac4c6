// An export is built in a hidden sibling folder and renamed onto --out only when complete: a crash, an error
// or a cancel leaves either no output folder or the previous one, never a half-written model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { syncDirectory } from '../../core/node/atomicWrite';
import { ExportError } from './mergedWeights';

export interface StagingFolder {
  readonly dir: string;
  /** Moves the finished folder onto its final name. */
  commit(): void;
  /** Removes the staging folder (after an error or a cancel); safe to call twice or after commit. */
  discard(): void;
}

export function stagingFolderFor(out: string): StagingFolder {
  const target = path.resolve(out);
  if (fs.existsSync(target)) {
    const st = fs.lstatSync(target);
    if (!st.isDirectory() || fs.readdirSync(target).length > 0) throw new ExportError(`${out} already exists and is not an empty folder; choose a new output folder`);
  }
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const dir = path.join(parent, `.${path.basename(target)}.export-${randomBytes(6).toString('hex')}`);
  fs.mkdirSync(dir);
  let done = false;
  return {
    dir,
    commit() {
      syncDirectory(dir);
      // An empty folder the user picked is replaced; rename refuses a non-empty one, so nothing is overwritten.
      if (fs.existsSync(target)) fs.rmdirSync(target);
      fs.renameSync(dir, target);
      syncDirectory(parent);
      done = true;
    },
    discard() {
      if (!done) fs.rmSync(dir, { recursive: true, force: true });
      done = true;
    },
  };
}

/** Writes a new file in a staging folder in pieces (fsynced at close), so no tensor file is held in memory whole. */
export class PieceWriter {
  private readonly fd: number;
  private position = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o666);
  }

  write(bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length; ) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.position + done);
    this.position += bytes.length;
  }

  get bytesWritten(): number {
    return this.position;
  }

  close(): void {
    try {
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }

  /** Closes without fsync (the file is about to be discarded). */
  abandon(): void {
    fs.closeSync(this.fd);
  }
}
