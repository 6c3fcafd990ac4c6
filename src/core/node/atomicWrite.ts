import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** 0 where the OS has no such flag (Windows): the lstat checks of run folders still apply there. */
export const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/**
 * fsyncs a directory so a rename or a new entry in it survives a power loss (the file's own fsync does not
 * cover its name). Windows cannot open directories: NTFS journals the rename itself.
 */
export function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, fs.constants.O_RDONLY);
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    // Some filesystems (e.g. certain network mounts) refuse fsync on a directory: nothing more can be done.
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Creates `file` exclusively (never through a link, never over an existing entry), writes and fsyncs it.
 * A FIFO or device planted under the name cannot be opened this way, so a write never hangs on one.
 */
export function writeNewFile(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, 0o666);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Write-temp-then-rename with fsync of the file and of its folder, so readers see either the old file or
 * the new one, never half, and a crash right after the rename keeps the new name. The temporary has a
 * random name and is created exclusively: a link planted under a guessable name cannot redirect the write.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    writeNewFile(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDirectory(dir);
}

/**
 * Appends one line and fsyncs it: a crash loses at most the line being written. Never follows a link and
 * refuses anything but a regular file (a FIFO or device in a run folder is not ours to write).
 */
export function appendLineDurable(file: string, line: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o666);
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error(`${file} is not a regular file; refusing to write to it`);
    fs.writeSync(fd, Buffer.from(`${line}\n`, 'utf8'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a small regular file without following a link or blocking on a FIFO; undefined when it is absent,
 * not a regular file, or larger than `maxBytes`.
 */
export function readSmallFile(file: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const buf = Buffer.alloc(st.size);
    let done = 0;
    while (done < buf.length) {
      const n = fs.readSync(fd, buf, done, buf.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
