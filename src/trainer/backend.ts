import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { Backend, ResolvedBackend } from '../core/runConfig';
import type { BackendProbe, EnvironmentReport } from '../core/protocol/environment';
import { defaultBlasThreads, installWasmKernels, kernelReport } from './kernels';
import { loadNativeBlas } from './kernels/nativeBlas';
import { measureSpeed } from './speedProbe';

/** Where the .wasm binaries live: beside dist/trainer.js when bundled, in node_modules when run from source. */
function wasmDir(): string {
  const candidates = [__dirname, path.join(__dirname, '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')];
  // Bundled tests and benchmarks run from out/: find the package itself.
  try {
    candidates.push(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')));
  } catch {
    // Not resolvable from a packaged extension; the binaries sit beside trainer.js there.
  }
  for (const dir of candidates) if (fs.existsSync(path.join(dir, 'tfjs-backend-wasm.wasm'))) return dir + path.sep;
  return candidates[0] + path.sep;
}

let wasmPathsSet = false;
function ensureWasmPaths(): void {
  if (!wasmPathsSet) {
    setWasmPaths(wasmDir());
    wasmPathsSet = true;
  }
}

/** tfjs-node(-gpu) download libtensorflow at install time and are usually absent: load them guardedly. */
function tryRequire(name: string): { ok: true } | { ok: false; error: string } {
  try {
    // A computed name keeps the bundler from resolving the optional package at build time.
    require(name);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: firstLine(e) };
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 300);
}

async function probeTensorflow(gpu: boolean): Promise<BackendProbe> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const name = gpu ? 'tensorflow-gpu' : 'tensorflow';
  const loaded = tryRequire(pkg);
  if (!loaded.ok) return { name, package: pkg, available: false, detail: `not installed (${loaded.error})`, features: {} };
  const features: Record<string, string | number | boolean> = {};
  if (gpu) {
    features.cudaVisibleDevices = process.env.CUDA_VISIBLE_DEVICES ?? 'all';
  }
  const registered = tf.findBackend('tensorflow') !== undefined;
  // The package registers its backend with the @tensorflow/tfjs-core it resolves itself; when that is another
  // copy than the one bundled into this trainer, the backend is invisible here — say so instead of "loaded".
  const detail = registered ? 'loaded' : 'loaded, but its backend registered with a different copy of @tensorflow/tfjs-core than this bundle uses';
  return { name, package: pkg, available: registered, detail, features };
}

async function probeWasm(): Promise<BackendProbe> {
  const pkg = '@tensorflow/tfjs-backend-wasm';
  try {
    ensureWasmPaths();
    const ok = await tf.setBackend('wasm');
    if (!ok) return { name: 'wasm', package: pkg, available: false, detail: 'failed to initialise', features: {} };
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    const native = loadNativeBlas();
    const matmul = native.blas ? 'native OpenBLAS' : 'rerouted XNNPACK';
    return {
      name: 'wasm',
      package: pkg,
      available: true,
      detail: `SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}, matmul ${matmul}`,
      features: { simd, threads, matmul, nativeKernels: native.reason, ...(native.blas ? { blasThreads: defaultBlasThreads() } : {}) },
    };
  } catch (e) {
    return { name: 'wasm', package: pkg, available: false, detail: firstLine(e), features: {} };
  }
}

async function probeCpu(): Promise<BackendProbe> {
  const ok = await tf.setBackend('cpu');
  return { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', available: ok, detail: 'pure JavaScript (slow)', features: {} };
}

const ORDER: ResolvedBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The first available backend allowed by the user's preference. */
export function chooseBackend(preference: Backend, probes: BackendProbe[]): ResolvedBackend | undefined {
  const allowed: Record<Backend, ResolvedBackend[]> = {
    auto: ORDER,
    tensorflow: ['tensorflow-gpu', 'tensorflow'],
    wasm: ['wasm'],
    cpu: ['cpu'],
  };
  return allowed[preference].find((b) => probes.some((p) => p.name === b && p.available));
}

export async function probeBackends(): Promise<BackendProbe[]> {
  return [await probeTensorflow(true), await probeTensorflow(false), await probeWasm(), await probeCpu()];
}

/** Initialise tfjs on the preferred backend; throws a readable error when it cannot. */
export async function initBackend(preference: Backend): Promise<ResolvedBackend> {
  const probes = await probeBackends();
  const chosen = chooseBackend(preference, probes);
  if (!chosen) {
    const why = probes.map((p) => `${p.name}: ${p.detail}`).join('; ');
    throw new Error(`No usable training backend for preference "${preference}" (${why})`);
  }
  // PROD silences tfjs' console banners, which would otherwise mix into CLI output.
  tf.env().set('PROD', true);
  const tfName = chosen === 'tensorflow-gpu' ? 'tensorflow' : chosen;
  if (!(await tf.setBackend(tfName))) throw new Error(`Backend ${chosen} failed to initialise`);
  await tf.ready();
  if (chosen === 'wasm') installWasmKernels();
  return chosen;
}

export async function environmentReport(preference: Backend = 'auto'): Promise<EnvironmentReport> {
  const backends = await probeBackends();
  const selected = chooseBackend(preference, backends) ?? 'cpu';
  const cpus = os.cpus();
  let speed: EnvironmentReport['speed'];
  try {
    speed = await measureSpeed(selected);
  } catch {
    // The report still names every backend; the panel says the speed could not be measured.
    speed = undefined;
  }
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    tfjsVersion: tf.version.tfjs,
    backends,
    selected,
    ...(speed ? { speed } : {}),
  };
}

/** One line on how the active backend computes (for logs, run.json and benchmarks). */
export function describeAcceleration(): string {
  const name = tf.getBackend();
  if (name !== 'wasm') return `tfjs ${name} backend`;
  const k = kernelReport();
  if (!k) return 'wasm with stock kernels';
  return `wasm, matmul ${k.matmul}, ${k.blasThreads} BLAS thread(s)${k.replaced.length ? ` (replaced: ${k.replaced.join(', ')})` : ''}; native addon: ${k.native}`;
}
