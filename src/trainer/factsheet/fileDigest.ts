import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { FileDigest } from '../../core/factsheet/inputs';

/** sha256 of a file, streamed (weight files are gigabytes). */
export async function fileDigest(file: string): Promise<FileDigest> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { path: file, bytes, sha256: hash.digest('hex') };
}
