// The environment as a person reads it (src/core/environmentView.ts): the chosen backend and why, one line per
// backend tried (never a loader's stack or a module path), the speed class from the measured GFLOP/s, the
// native kernels, what would make training faster, and the TRL stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentReport } from '../../../src/core/protocol/environment';
import { EnvironmentView } from '../../../src/core/protocol/environmentPanel';
import { environmentView } from '../../../src/core/environmentView';
import { formatEnvironmentReport } from '../../../src/core/environmentText';

const stack = "Cannot find module '@tensorflow/tfjs-node'\nRequire stack:\n- /opt/ext/dist/trainer.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)";

function report(opts: { native: boolean; gflops?: number; tfjsNode?: boolean }): EnvironmentReport {
  return {
    node: 'v20.20.2',
    platform: 'linux',
    arch: 'x64',
    cpus: 8,
    cpuModel: 'Test CPU',
    totalMemoryMB: 16384,
    tfjsVersion: '4.22.0',
    backends: [
      { name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', available: false, detail: `not installed (${stack.replace('tfjs-node', 'tfjs-node-gpu')})`, features: {} },
      opts.tfjsNode
        ? { name: 'tensorflow', package: '@tensorflow/tfjs-node', available: true, detail: 'loaded', features: {} }
        : { name: 'tensorflow', package: '@tensorflow/tfjs-node', available: false, detail: `not installed (${stack})`, features: {} },
      {
        name: 'wasm',
        package: '@tensorflow/tfjs-backend-wasm',
        available: true,
        detail: `SIMD on, threads off, matmul ${opts.native ? 'native OpenBLAS' : 'rerouted XNNPACK'}`,
        features: {
          simd: true,
          threads: false,
          matmul: opts.native ? 'native OpenBLAS' : 'rerouted XNNPACK',
          nativeKernels: opts.native ? '/opt/ext/dist/clinical_ft_blas.node (OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH SkylakeX MAX_THREADS=64)' : 'not built (npm run build:native)',
          ...(opts.native ? { blasThreads: 8 } : {}),
        },
      },
      { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', available: true, detail: 'pure JavaScript (slow)', features: {} },
    ],
    selected: opts.tfjsNode ? 'tensorflow' : 'wasm',
    ...(opts.gflops !== undefined ? { speed: { backend: 'wasm' as const, size: 512, repeats: 20, seconds: 0.4, gflops: opts.gflops } } : {}),
  };
}

test('the chosen backend and why, with one readable line per backend tried: no stack, no module path', () => {
  const v = environmentView(report({ native: true, gflops: 25 }));
  assert.ok(EnvironmentView.safeParse(v).success, 'the view is what the panel protocol accepts');
  assert.equal(v.backend.name, 'wasm');
  assert.match(v.why, /fastest backend that loads here: TensorFlow with CUDA and TensorFlow native are not available/);
  assert.deepEqual(v.tried.map((t) => [t.name, t.available, t.chosen]), [['tensorflow-gpu', false, false], ['tensorflow', false, false], ['wasm', true, true], ['cpu', true, false]]);
  assert.equal(v.tried[1].reason, 'not installed (optional package @tensorflow/tfjs-node)');
  const text = formatEnvironmentReport(report({ native: true, gflops: 25 }));
  assert.doesNotMatch(text, /Require stack|node:internal|\/opt\/ext/, text);
  assert.match(text, /Selected backend: wasm/);
});

test('a backend that is installed but fails to load says so in one line, cut to a readable length', () => {
  const r = report({ native: true, gflops: 25 });
  r.backends[1] = { ...r.backends[1], detail: `libtensorflow.so.2: cannot open shared object file${' x'.repeat(200)}\n    at Object.Module._extensions` };
  const reason = environmentView(r).tried[1].reason;
  assert.match(reason, /^does not load: libtensorflow\.so\.2: cannot open shared object file/);
  assert.ok(reason.length <= 160 && !reason.includes('\n'), reason);
});

test('the speed class follows the measured GFLOP/s, with a tokens/s bound for the sample model and a 0.5 B model', () => {
  assert.equal(environmentView(report({ native: false, gflops: 1.2 })).speed.class, 'slow');
  assert.equal(environmentView(report({ native: false, gflops: 8 })).speed.class, 'cpu');
  assert.equal(environmentView(report({ native: true, gflops: 80 })).speed.class, 'fast-cpu');
  assert.equal(environmentView(report({ native: true, gflops: 900 })).speed.class, 'gpu');
  const s = environmentView(report({ native: true, gflops: 30 })).speed;
  assert.equal(s.headline, 'Fast CPU class: 30 GFLOP/s');
  // 30e9 / (6 × 1e6) = 5000 tokens/s; 30e9 / (6 × 0.5e9) = 10 tokens/s.
  assert.match(s.detail, /about 5,000 tokens\/s for the 1 M-parameter sample model and 10\.0 tokens\/s for a 0\.5 B-parameter model/);
  assert.equal(environmentView(report({ native: true })).speed.class, 'unmeasured');
});

test('native kernels absent: named as such, and building them is the first way to get faster', () => {
  const v = environmentView(report({ native: false, gflops: 8 }));
  assert.equal(v.nativeKernels.present, false);
  assert.match(v.nativeKernels.detail, /^Not loaded: not built \(npm run build:native\)/);
  assert.deepEqual(v.faster.map((f) => [f.id, f.done]), [['native-kernels', false], ['tfjs-node', false], ['trl-gpu', false]]);
  assert.match(v.faster[0].detail, /npm run build:native/);
  const withNative = environmentView(report({ native: true, gflops: 25 }));
  assert.equal(withNative.nativeKernels.present, true);
  assert.match(withNative.nativeKernels.detail, /^Loaded \(OpenBLAS 0\.3\.21\)/);
  assert.doesNotMatch(withNative.nativeKernels.detail, /\/opt\/ext/);
  assert.equal(withNative.faster[0].done, true);
  assert.match(withNative.threads, /8 CPU cores; OpenBLAS uses 8 threads/);
});

test('tfjs-node loading is chosen and marked done', () => {
  const v = environmentView(report({ native: false, gflops: 40, tfjsNode: true }));
  assert.equal(v.backend.name, 'tensorflow');
  assert.match(v.why, /TensorFlow with CUDA is not available/);
  assert.equal(v.faster.find((f) => f.id === 'tfjs-node')?.done, true);
});

test('the TRL stack: off, an interpreter that does not answer, an incomplete stack, a GPU-ready one', () => {
  const r = report({ native: true, gflops: 25 });
  assert.equal(environmentView(r).python, undefined, 'the CLI does not probe Python');
  assert.equal(environmentView(r, { state: 'off' }).python?.state, 'off');
  const err = environmentView(r, { state: 'error', python: '/usr/bin/python9', message: '/usr/bin/python9: no such file' }).python!;
  assert.equal(err.state, 'error');
  assert.match(err.summary, /no such file/);
  const pkgs = { torch: '2.7.1', transformers: '4.53.3', trl: '0.19.1', peft: '0.16.0', accelerate: '1.8.1', datasets: '3.6.0', bitsandbytes: null, deepspeed: null };
  const base = { python: '3.11.2', executable: '/venv/bin/python', packages: pkgs, cuda: { available: false, version: '12.6', devices: [] } };
  const incomplete = environmentView(r, { state: 'probed', report: { ...base, packages: { ...pkgs, trl: null } } });
  assert.equal(incomplete.python?.state, 'incomplete');
  assert.match(incomplete.python!.summary, /TRL runs need: trl/);
  const cpuOnly = environmentView(r, { state: 'probed', report: base });
  assert.equal(cpuOnly.python?.state, 'ready');
  assert.equal(cpuOnly.faster.find((f) => f.id === 'trl-gpu')?.done, false, 'TRL on CPU is not the GPU server');
  const gpu = environmentView(r, { state: 'probed', report: { ...base, cuda: { available: true, version: '12.6', devices: [{ name: 'A100', memoryMB: 81920 }] } } });
  assert.equal(gpu.faster.find((f) => f.id === 'trl-gpu')?.done, true);
  assert.ok(gpu.python!.facts.some((f) => f.label === 'CUDA devices' && f.value === 'A100 (80 GB)'));
});
