import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTrainerCli, trainerEnv } from '../../../src/trainer/demo/trainerCli';

test('trainers run side by side share the cores out; a thread count the person set is kept', () => {
  assert.equal(trainerEnv(2, {}, 2).CLINICAL_FT_BLAS_THREADS, '1');
  assert.equal(trainerEnv(4, {}, 2).CLINICAL_FT_BLAS_THREADS, '1', 'never below one');
  assert.equal(trainerEnv(2, {}, 8).CLINICAL_FT_BLAS_THREADS, '4');
  assert.equal(trainerEnv(1, {}, 8).CLINICAL_FT_BLAS_THREADS, '8');
  assert.equal(trainerEnv(2, { CLINICAL_FT_BLAS_THREADS: '3' }, 8).CLINICAL_FT_BLAS_THREADS, '3');
  assert.equal(trainerEnv(2, { PATH: '/bin' }, 8).PATH, '/bin', 'the rest of the environment is passed on');
});

test('runTrainerCli starts the child with its share of the cores', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-env-'));
  try {
    const fake = path.join(dir, 'trainer.js');
    fs.writeFileSync(fake, 'console.log(`threads=${process.env.CLINICAL_FT_BLAS_THREADS}`);\n');
    const log = path.join(dir, 'run.log');
    const before = process.env.CLINICAL_FT_BLAS_THREADS;
    delete process.env.CLINICAL_FT_BLAS_THREADS;
    try {
      await runTrainerCli(fake, ['train'], log, os.availableParallelism() + 1);
    } finally {
      if (before !== undefined) process.env.CLINICAL_FT_BLAS_THREADS = before;
    }
    assert.match(fs.readFileSync(log, 'utf8'), /^threads=1$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
