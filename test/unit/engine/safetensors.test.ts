import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SafetensorsError, SafetensorsFile, encodeSafetensors, floatToBf16, floatToHalf, halfToFloat, type TensorToWrite } from '../../../src/trainer/engine/safetensors';
import { tempDir } from './helpers';
import { mulberry32 } from '../../../src/trainer/engine/random';

function sample(): Map<string, TensorToWrite> {
  return new Map<string, TensorToWrite>([
    ['a', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, -7]) }],
    ['b', { dtype: 'BF16', shape: [4], data: Float32Array.from([1, -0.5, 3.140625, 65280]) }],
    ['c', { dtype: 'F16', shape: [3], data: Float32Array.from([0.5, -1.25, 1024]) }],
  ]);
}

function fileWith(bytes: Uint8Array): string {
  const file = path.join(tempDir('st'), 'x.safetensors');
  fs.writeFileSync(file, bytes);
  return file;
}

/** A file with the given header text and data length (no JSON validity assumed). */
function rawFile(header: string, dataBytes: number, declaredLength?: bigint): string {
  const h = Buffer.from(header, 'utf8');
  const buf = Buffer.alloc(8 + h.length + dataBytes);
  buf.writeBigUInt64LE(declaredLength ?? BigInt(h.length), 0);
  h.copy(buf, 8);
  return fileWith(buf);
}

function expectError(file: string, pattern: RegExp): void {
  assert.throws(
    () => {
      const f = SafetensorsFile.open(file);
      try {
        for (const name of f.tensors.keys()) f.readBytes(name);
      } finally {
        f.close();
      }
    },
    (e: unknown) => e instanceof SafetensorsError && e.message.startsWith(file) && pattern.test(e.message),
  );
}

test('round trip of F32, BF16 and F16 tensors with metadata', () => {
  const file = fileWith(encodeSafetensors(sample(), { format: 'pt' }));
  const f = SafetensorsFile.open(file);
  assert.deepEqual(f.metadata, { format: 'pt' });
  assert.deepEqual([...f.readFloat32('a').data], [1, -2, 3.5, 0, Math.fround(1e-3), -7]);
  assert.deepEqual([...f.readFloat32('b').data], [1, -0.5, 3.140625, 65280]);
  assert.deepEqual([...f.readFloat32('c').data], [0.5, -1.25, 1024]);
  assert.deepEqual(f.readFloat32('a').shape, [2, 3]);
  assert.throws(() => f.readFloat32('zzz'), /missing tensor "zzz"/);
  f.close();
  // Header is padded to a multiple of 8 as the reference writer does.
  const n = Number(fs.readFileSync(file).readBigUInt64LE(0));
  assert.equal(n % 8, 0);
});

test('float conversions round to nearest even', () => {
  assert.equal(floatToBf16(1), 0x3f80);
  assert.equal(floatToBf16(1 + 2 ** -8), 0x3f80); // tie → even
  assert.equal(floatToBf16(1 + 3 * 2 ** -8), 0x3f82);
  for (const x of [0, 1, -2.5, 65504, 6.1e-5, 5.96e-8, -0.000123]) assert.ok(Math.abs(halfToFloat(floatToHalf(x)) - x) <= Math.abs(x) * 1e-3 + 6e-8, String(x));
  assert.equal(halfToFloat(floatToHalf(1e6)), Infinity);
});

test('hostile headers each get a clear error naming the problem', () => {
  const ok = (o: Record<string, unknown>) => JSON.stringify(o);
  const t = (dtype: string, shape: unknown, offs: unknown) => ({ dtype, shape, data_offsets: offs });
  const cases: [string, RegExp][] = [
    [rawFile('{}', 0, 2n ** 62n), /header length .* exceeds/],
    [rawFile('{}', 0, 100n), /header length .* exceeds/],
    [rawFile('{not json', 0), /not valid JSON/],
    [rawFile('[1,2]', 0), /must be a JSON object/],
    [rawFile('null', 0), /must be a JSON object/],
    [rawFile(ok({ x: t('Q8', [1], [0, 1]) }), 1), /tensor "x": unknown dtype "Q8"/],
    [rawFile(ok({ x: t('F32', [-1], [0, 4]) }), 4), /not a non-negative integer/],
    [rawFile(ok({ x: t('F32', [1.5], [0, 4]) }), 4), /not a non-negative integer/],
    [rawFile(ok({ x: t('F32', 'abc', [0, 4]) }), 4), /shape must be an array/],
    [rawFile(ok({ x: t('F32', [1e9, 1e9, 1e9], [0, 4]) }), 4), /impossibly large/],
    [rawFile(ok({ x: t('F32', [2], [0, 8]) }), 4), /run past the end/],
    [rawFile(ok({ x: t('F32', [1], [4, 0]) }), 8), /end before they begin/],
    [rawFile(ok({ x: t('F32', [3], [0, 8]) }), 8), /needs 12 bytes but data_offsets span 8/],
    [rawFile(ok({ x: t('F32', [2], [0, 8]), y: t('F32', [1], [4, 8]) }), 8), /overlap/],
    [rawFile(ok({ x: t('F32', [1], ['0', 4]) }), 4), /data_offsets must be two/],
    [rawFile(ok({ x: 7 }), 0), /entry must be an object/],
    [rawFile(ok({ __metadata__: { a: 1 } }), 0), /__metadata__\.a" must be a string/],
    [fileWith(Buffer.from([1, 2, 3])), /too short/],
  ];
  for (const [file, pattern] of cases) expectError(file, pattern);
  assert.throws(() => SafetensorsFile.open('/nonexistent/x.safetensors'), /cannot open \(ENOENT\)/);
});

test('the data section must be indexed entirely, without holes: bytes no tensor claims are refused (polyglot or truncated files)', () => {
  const t = (shape: number[], offs: number[]) => ({ dtype: 'F32', shape, data_offsets: offs });
  expectError(rawFile(JSON.stringify({ x: t([1], [0, 4]) }), 4096), /cover 4 bytes but the data section holds 4096/);
  expectError(rawFile(JSON.stringify({ x: t([1], [0, 4]), y: t([1], [8, 12]) }), 12), /4 bytes between tensors "x" and "y" belong to no tensor/);
  expectError(rawFile(JSON.stringify({ x: t([1], [4, 8]) }), 8), /first 4 bytes of the data section belong to no tensor/);
  const whole = SafetensorsFile.open(fileWith(encodeSafetensors(sample())));
  assert.deepEqual([...whole.tensors.keys()], ['a', 'b', 'c']);
  whole.close();
});

test('fuzz: mutated headers never crash, hang or allocate beyond the file', () => {
  const good = encodeSafetensors(sample(), { format: 'pt' });
  const headerLen = Number(good.readBigUInt64LE(0));
  const u = mulberry32(12345);
  const rnd = (n: number) => Math.floor(u() * n);
  const alphabet = '0123456789-+.,:[]{}"eE FBIU\\\u0000\u00ff';
  let rejected = 0;
  let accepted = 0;
  for (let iter = 0; iter < 1500; iter++) {
    const buf = Buffer.from(good);
    const kind = rnd(4);
    if (kind === 0) {
      // Byte flips inside the header.
      for (let k = 0; k <= rnd(4); k++) buf[8 + rnd(headerLen)] = rnd(256);
    } else if (kind === 1) {
      // Replace characters with JSON-significant ones.
      for (let k = 0; k <= rnd(4); k++) buf[8 + rnd(headerLen)] = alphabet.charCodeAt(rnd(alphabet.length)) & 0xff;
    } else if (kind === 2) {
      // Corrupt the length prefix.
      buf.writeBigUInt64LE(BigInt(rnd(2 ** 31)) * BigInt(1 + rnd(3)), 0);
    } else {
      // Truncate the file.
      const cut = rnd(buf.length);
      const file = fileWith(buf.subarray(0, cut));
      tryOpen(file);
      continue;
    }
    tryOpen(fileWith(buf));
  }
  function tryOpen(file: string): void {
    try {
      const f = SafetensorsFile.open(file);
      try {
        for (const [name, info] of f.tensors) {
          const bytes = f.readBytes(name);
          assert.equal(bytes.length, info.end - info.begin);
          assert.ok(bytes.length <= fs.statSync(file).size);
        }
      } finally {
        f.close();
      }
      accepted++;
    } catch (e) {
      assert.ok(e instanceof SafetensorsError, `unexpected ${e instanceof Error ? e.stack : String(e)}`);
      assert.ok(e.message.startsWith(file));
      rejected++;
    }
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  assert.ok(rejected > 1000, `only ${rejected} rejected`);
  assert.ok(accepted > 10, `only ${accepted} accepted`);
});
