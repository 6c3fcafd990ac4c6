// GGUF v3, the file format of llama.cpp (its gguf-py package and ggml/include/gguf.h define it): magic "GGUF",
// version, tensor count, metadata count (u64), typed key/value pairs, tensor infos (name, dims innermost first,
// ggml type, data offset), then the tensor data, every tensor aligned to general.alignment (32). Little-endian.
import { floatToHalf } from '../engine/safetensors';

export const GGUF_VERSION = 3;
export const GGUF_ALIGNMENT = 32;

/** gguf_type of a metadata value. */
const VT = { UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12 } as const;

/** The ggml tensor types this exporter writes. */
export const GGML_TYPE = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlType = keyof typeof GGML_TYPE;

/** llama_ftype written as general.file_type. */
export const FILE_TYPE = { F32: 0, F16: 1, Q8_0: 7 } as const;

export const Q8_0_BLOCK = 32;

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'i32[]'; value: number[] };

export const u32 = (value: number): GgufValue => ({ type: 'u32', value });
export const f32 = (value: number): GgufValue => ({ type: 'f32', value });
export const str = (value: string): GgufValue => ({ type: 'string', value });
export const bool = (value: boolean): GgufValue => ({ type: 'bool', value });

export interface GgufTensorInfo {
  name: string;
  /** The PyTorch shape (outermost first); written reversed, as ggml's ne[]. */
  shape: number[];
  type: GgmlType;
}

/** Bytes of a tensor's data in a ggml type (q8_0: 34 bytes per block of 32 along the innermost dimension). */
export function tensorBytes(shape: number[], type: GgmlType): number {
  const n = shape.reduce((a, b) => a * b, 1);
  if (type === 'F32') return n * 4;
  if (type === 'F16') return n * 2;
  return (n / Q8_0_BLOCK) * 34;
}

const align = (n: number): number => Math.ceil(n / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;

class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  private fixed(size: number, write: (b: Buffer) => void): void {
    const b = Buffer.alloc(size);
    write(b);
    this.push(b);
  }
  u32(v: number): void {
    this.fixed(4, (b) => b.writeUInt32LE(v >>> 0, 0));
  }
  i32(v: number): void {
    this.fixed(4, (b) => b.writeInt32LE(v, 0));
  }
  u64(v: number): void {
    this.fixed(8, (b) => b.writeBigUInt64LE(BigInt(v), 0));
  }
  f32(v: number): void {
    this.fixed(4, (b) => b.writeFloatLE(v, 0));
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      sink.u32(VT.UINT32);
      sink.u32(v.value);
      return;
    case 'i32':
      sink.u32(VT.INT32);
      sink.i32(v.value);
      return;
    case 'f32':
      sink.u32(VT.FLOAT32);
      sink.f32(v.value);
      return;
    case 'bool':
      sink.u32(VT.BOOL);
      sink.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case 'string':
      sink.u32(VT.STRING);
      sink.str(v.value);
      return;
    case 'string[]':
      sink.u32(VT.ARRAY);
      sink.u32(VT.STRING);
      sink.u64(v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case 'i32[]':
      sink.u32(VT.ARRAY);
      sink.u32(VT.INT32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.i32(x);
      return;
  }
}

/**
 * Everything before the first tensor's data: header, metadata, tensor infos and the padding to the data
 * section. Returns it with each tensor's offset (relative to the data section) and the data section's size.
 */
export function encodeGgufHeader(metadata: [string, GgufValue][], tensors: GgufTensorInfo[]): { header: Buffer; offsets: number[]; dataBytes: number } {
  const sink = new ByteSink();
  sink.push(Buffer.from('GGUF', 'ascii'));
  sink.u32(GGUF_VERSION);
  sink.u64(tensors.length);
  sink.u64(metadata.length);
  const seen = new Set<string>();
  for (const [key, value] of metadata) {
    if (seen.has(key)) throw new Error(`GGUF metadata key "${key}" written twice`);
    seen.add(key);
    sink.str(key);
    writeValue(sink, value);
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.type === 'Q8_0' && t.shape[t.shape.length - 1] % Q8_0_BLOCK !== 0) throw new Error(`tensor "${t.name}": q8_0 needs rows that are a multiple of ${Q8_0_BLOCK}`);
    sink.str(t.name);
    sink.u32(t.shape.length);
    for (let i = t.shape.length - 1; i >= 0; i--) sink.u64(t.shape[i]);
    sink.u32(GGML_TYPE[t.type]);
    sink.u64(offset);
    offsets.push(offset);
    offset = align(offset + tensorBytes(t.shape, t.type));
  }
  const pad = align(sink.length) - sink.length;
  if (pad) sink.push(Buffer.alloc(pad));
  return { header: sink.bytes(), offsets, dataBytes: offset };
}

/** roundf: half away from zero (C's roundf, which ggml's reference quantizer uses). */
function roundf(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
}

/**
 * q8_0 as ggml's reference quantizer does it: per block of 32, d = max|x| / 127 (float32), q = roundf(x · (1/d)),
 * stored as d (f16) followed by 32 int8.
 */
export function quantizeQ8_0(data: Float32Array): Buffer {
  if (data.length % Q8_0_BLOCK !== 0) throw new Error(`q8_0 needs a multiple of ${Q8_0_BLOCK} values (got ${data.length})`);
  const blocks = data.length / Q8_0_BLOCK;
  const out = Buffer.alloc(blocks * 34);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK; j++) amax = Math.max(amax, Math.abs(data[b * Q8_0_BLOCK + j]));
    const d = Math.fround(amax / 127);
    const id = d === 0 ? 0 : Math.fround(1 / d);
    out.writeUInt16LE(floatToHalf(d), b * 34);
    for (let j = 0; j < Q8_0_BLOCK; j++) out.writeInt8(roundf(Math.fround(data[b * Q8_0_BLOCK + j] * id)), b * 34 + 2 + j);
  }
  return out;
}

/** A tensor's data in its ggml type. */
export function encodeTensorData(data: Float32Array, type: GgmlType): Buffer {
  if (type === 'Q8_0') return quantizeQ8_0(data);
  const out = Buffer.alloc(data.length * (type === 'F32' ? 4 : 2));
  if (type === 'F32') for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], i * 4);
  else for (let i = 0; i < data.length; i++) out.writeUInt16LE(floatToHalf(data[i]), i * 2);
  return out;
}

export function paddingAfter(bytes: number): Buffer {
  return Buffer.alloc(align(bytes) - bytes);
}
