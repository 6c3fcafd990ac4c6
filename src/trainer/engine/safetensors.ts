// safetensors: 8-byte little-endian header length, a JSON header, then the raw tensor bytes.
// The reader trusts nothing in the file: every field is checked before any allocation it implies.
import * as fs from 'node:fs';
import { writeFileAtomic } from '../../core/node/atomicWrite';

export type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Record<Dtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const FLOAT_DTYPES = new Set<Dtype>(['F64', 'F32', 'F16', 'BF16']);

export function isFloatDtype(dtype: Dtype): boolean {
  return FLOAT_DTYPES.has(dtype);
}

/** Headers of real checkpoints are a few hundred KB; anything far larger is hostile or corrupt. */
export const MAX_HEADER_BYTES = 100 * 2 ** 20;
const MAX_RANK = 8;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

export class SafetensorsError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** Validates a parsed header against the data size; throws SafetensorsError naming the file and key. */
export function parseHeader(file: string, headerText: string, dataBytes: number): { tensors: Map<string, TensorInfo>; metadata: Record<string, string> } {
  let json: unknown;
  try {
    json = JSON.parse(headerText);
  } catch (e) {
    throw new SafetensorsError(file, `header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SafetensorsError(file, 'header must be a JSON object');
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SafetensorsError(file, '"__metadata__" must be an object of strings');
      for (const [k, v] of Object.entries(raw)) if (typeof v !== 'string') throw new SafetensorsError(file, `"__metadata__.${k}" must be a string`);
      metadata = raw as Record<string, string>;
      continue;
    }
    tensors.set(name, checkEntry(file, name, raw, dataBytes));
  }
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) {
      throw new SafetensorsError(file, `tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap in the data section`);
    }
    // The format requires the data section to be indexed entirely, without holes (as the reference reader checks).
    if (sorted[i].begin > sorted[i - 1].end) {
      throw new SafetensorsError(file, `${sorted[i].begin - sorted[i - 1].end} bytes between tensors "${sorted[i - 1].name}" and "${sorted[i].name}" belong to no tensor`);
    }
  }
  const covered = sorted.length ? sorted[sorted.length - 1].end : 0;
  if (sorted.length && sorted[0].begin !== 0) throw new SafetensorsError(file, `the first ${sorted[0].begin} bytes of the data section belong to no tensor`);
  if (covered !== dataBytes) throw new SafetensorsError(file, `the tensors cover ${covered} bytes but the data section holds ${dataBytes}: the file is truncated, padded or not what its header says`);
  return { tensors, metadata };
}

function checkEntry(file: string, name: string, raw: unknown, dataBytes: number): TensorInfo {
  const bad = (msg: string): never => {
    throw new SafetensorsError(file, `tensor "${name}": ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('entry must be an object with dtype, shape and data_offsets');
  const e = raw as Record<string, unknown>;
  if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) bad(`unknown dtype ${JSON.stringify(e.dtype)}`);
  const dtype = e.dtype as Dtype;
  if (!Array.isArray(e.shape) || e.shape.length > MAX_RANK) bad(`shape must be an array of at most ${MAX_RANK} dimensions`);
  const shape = e.shape as unknown[];
  let count = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) bad(`shape ${JSON.stringify(shape)} has a dimension that is not a non-negative integer`);
    count *= d as number;
    if (count > Number.MAX_SAFE_INTEGER / 8) bad(`shape ${JSON.stringify(shape)} is impossibly large`);
  }
  const offs = e.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    bad('data_offsets must be two non-negative integers');
  }
  const [begin, end] = offs as number[];
  if (end < begin) bad(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) bad(`data_offsets [${begin}, ${end}] run past the end of the data section (${dataBytes} bytes)`);
  const expected = count * DTYPE_BYTES[dtype];
  if (end - begin !== expected) bad(`shape ${JSON.stringify(shape)} × ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Reads tensors lazily from one file: only the header is held in memory. */
export class SafetensorsFile {
  readonly tensors: Map<string, TensorInfo>;
  readonly metadata: Record<string, string>;
  private readonly dataStart: number;
  private fd: number | undefined;

  private constructor(readonly file: string, fd: number, tensors: Map<string, TensorInfo>, metadata: Record<string, string>, dataStart: number) {
    this.fd = fd;
    this.tensors = tensors;
    this.metadata = metadata;
    this.dataStart = dataStart;
  }

  static open(file: string): SafetensorsFile {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new SafetensorsError(file, `cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < 8) throw new SafetensorsError(file, `file is ${size} bytes, too short for a safetensors header`);
      const lenBuf = Buffer.alloc(8);
      readExactly(fd, lenBuf, 0, file);
      const headerLen = lenBuf.readBigUInt64LE(0);
      if (headerLen > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) {
        throw new SafetensorsError(file, `header length ${headerLen} exceeds the file size or the ${MAX_HEADER_BYTES}-byte limit`);
      }
      const n = Number(headerLen);
      const headerBuf = Buffer.alloc(n);
      readExactly(fd, headerBuf, 8, file);
      const text = headerBuf.toString('utf8');
      const { tensors, metadata } = parseHeader(file, text, size - 8 - n);
      return new SafetensorsFile(file, fd, tensors, metadata, 8 + n);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new SafetensorsError(this.file, `missing tensor "${name}"`);
    return t;
  }

  /** Raw bytes of one tensor (a fresh buffer of exactly its span). */
  readBytes(name: string): Uint8Array {
    const t = this.info(name);
    if (this.fd === undefined) throw new SafetensorsError(this.file, 'file already closed');
    const buf = Buffer.alloc(t.end - t.begin);
    readExactly(this.fd, buf, this.dataStart + t.begin, this.file);
    return buf;
  }

  /** One floating-point tensor converted to float32. */
  readFloat32(name: string): { shape: number[]; data: Float32Array } {
    const t = this.info(name);
    if (!FLOAT_DTYPES.has(t.dtype)) throw new SafetensorsError(this.file, `tensor "${name}" has dtype ${t.dtype}; a floating-point tensor was expected`);
    return { shape: t.shape, data: toFloat32(t.dtype, this.readBytes(name)) };
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function readExactly(fd: number, buf: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new SafetensorsError(file, 'unexpected end of file');
    done += n;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function toFloat32(dtype: Dtype, bytes: Uint8Array): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  // Little-endian hosts read aligned F32 straight from the buffer (no second copy).
  if (dtype === 'F32' && bytes.byteOffset % 4 === 0 && LITTLE_ENDIAN) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u32[i] = dv.getUint16(i * 2, true) << 16;
      break;
    }
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      break;
    default:
      throw new Error(`cannot convert ${dtype} to float32`);
  }
  return out;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Round-to-nearest-even float32 → bfloat16 bits. */
export function floatToBf16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 → IEEE half bits, round to nearest even (test fixtures and F16 exports). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >> 10;
  return sign | half;
}

export interface TensorToWrite {
  dtype: 'F32' | 'F16' | 'BF16';
  shape: number[];
  data: Float32Array;
}

/** Serialises tensors (sorted by name, header padded to 8 bytes as the reference implementation does). */
export function encodeSafetensors(tensors: Map<string, TensorToWrite>, metadata?: Record<string, string>): Buffer {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor "${name}": shape ${JSON.stringify(t.shape)} does not match ${t.data.length} values`);
    const bytes = count * DTYPE_BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    pos += writeFloats(out, pos, t.dtype, t.data);
  }
  return out;
}

/** Writes float32 values as little-endian dtype values at `pos` (each rounded once, to nearest even); returns the bytes written. */
export function writeFloats(out: Buffer, pos: number, dtype: 'F32' | 'F16' | 'BF16', data: Float32Array): number {
  if (dtype === 'F32') {
    for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], pos + i * 4);
    return data.length * 4;
  }
  const conv = dtype === 'BF16' ? floatToBf16 : floatToHalf;
  for (let i = 0; i < data.length; i++) out.writeUInt16LE(conv(data[i]), pos + i * 2);
  return data.length * 2;
}

export function writeSafetensors(file: string, tensors: Map<string, TensorToWrite>, metadata?: Record<string, string>): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
