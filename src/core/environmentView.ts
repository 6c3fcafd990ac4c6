import type { BackendProbe, EnvironmentReport } from './protocol/environment';
import type { EnvironmentView } from './protocol/environmentPanel';
import { missingForTrl, TRL_OPTIONAL, TRL_REQUIRED, type PythonStackReport } from './pythonStack';

/** What the host learned about the TRL engine's interpreter (the CLI does not ask). */
export type PythonStatus = { state: 'off' } | { state: 'error'; python: string; message: string } | { state: 'probed'; report: PythonStackReport };

const LABELS: Record<BackendProbe['name'], string> = {
  'tensorflow-gpu': 'TensorFlow with CUDA (tfjs-node-gpu)',
  tensorflow: 'TensorFlow native (tfjs-node)',
  wasm: 'WebAssembly (tfjs-backend-wasm)',
  cpu: 'Pure JavaScript (tfjs-backend-cpu)',
};

/** Parameters of the models the speed line translates GFLOP/s into (the sample model, a small real one). */
const SAMPLE_PARAMS = 1e6;
const SMALL_MODEL_PARAMS = 0.5e9;

/** One line per backend: what a person needs to know, never the loader's stack or a module path. */
export function backendReason(p: BackendProbe): string {
  if (p.available) return p.name === 'cpu' ? 'loads; pure JavaScript, the slowest' : p.name === 'wasm' ? `loads; ${p.detail}` : 'loads';
  if (/^not installed/.test(p.detail)) return `not installed (optional package ${p.package})`;
  if (/different copy/.test(p.detail)) return 'installed, but bound to another copy of TensorFlow.js than the trainer bundles';
  const line = p.detail.split('\n')[0];
  return `does not load: ${line.length > 140 ? `${line.slice(0, 139)}…` : line}`;
}

function speedOf(r: EnvironmentReport): EnvironmentView['speed'] {
  if (!r.speed) return { class: 'unmeasured', headline: 'Not measured', detail: 'The quick matrix-multiply probe did not run on this backend.' };
  const g = r.speed.gflops;
  const cls = g < 3 ? 'slow' : g < 30 ? 'cpu' : g < 300 ? 'fast-cpu' : 'gpu';
  const name = { slow: 'Slow', cpu: 'CPU class', 'fast-cpu': 'Fast CPU class', gpu: 'GPU class' }[cls];
  // A LoRA step costs about 6 × parameters FLOP per token (forward, backward through the frozen weights, and
  // the recomputation): an upper bound on tokens/s, since attention and the non-matmul ops are not counted.
  const tps = (params: number) => Math.max(0, (g * 1e9) / (6 * params));
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 1 ? n.toFixed(1) : n.toFixed(2));
  return {
    class: cls,
    headline: `${name}: ${g.toFixed(g < 10 ? 1 : 0)} GFLOP/s`,
    detail:
      `Measured just now: ${r.speed.repeats} float32 matrix products of ${r.speed.size}×${r.speed.size} on ${r.speed.backend} in ${r.speed.seconds.toFixed(2)} s (other busy programs lower it). ` +
      `At most about ${fmt(tps(SAMPLE_PARAMS))} tokens/s for the 1 M-parameter sample model and ${fmt(tps(SMALL_MODEL_PARAMS))} tokens/s for a 0.5 B-parameter model.`,
  };
}

function threadsOf(r: EnvironmentReport): string {
  const wasm = r.backends.find((b) => b.name === 'wasm');
  const parts = [`${r.cpus} CPU core${r.cpus === 1 ? '' : 's'}`];
  const blas = wasm?.features.blasThreads;
  if (r.selected === 'wasm' && typeof blas === 'number') parts.push(`OpenBLAS uses ${blas} thread${blas === 1 ? '' : 's'} (CLINICAL_FT_BLAS_THREADS changes it)`);
  if (wasm?.available) parts.push(`WebAssembly threads ${wasm.features.threads ? 'on' : 'off (Node runs wasm on one thread; matmuls use OpenBLAS threads)'}`);
  return parts.join('; ');
}

function nativeKernelsOf(r: EnvironmentReport): EnvironmentView['nativeKernels'] {
  const wasm = r.backends.find((b) => b.name === 'wasm');
  const reason = typeof wasm?.features.nativeKernels === 'string' ? wasm.features.nativeKernels : 'not probed';
  const present = wasm?.features.matmul === 'native OpenBLAS';
  // The loader's reason names the addon file and its OpenBLAS build: keep the build, drop the path.
  const build = /\(([^()]*OpenBLAS[^()]*)\)\s*$/.exec(reason)?.[1];
  const version = build?.split(' ').slice(0, 2).join(' ');
  return present
    ? { present, detail: `Loaded${version ? ` (${version})` : ''}: matrix products, attention, RoPE, SwiGLU and RMSNorm run in native code.` }
    : { present, detail: `Not loaded: ${reason.replace(/^\/\S+\s*/, '')}. Matrix products run in plain WebAssembly (about 3–4× slower).` };
}

function pythonOf(p: PythonStatus | undefined): EnvironmentView['python'] {
  if (!p) return undefined;
  if (p.state === 'off') return { state: 'off', summary: 'Off: set clinicalFt.pythonPath to a Python with the pinned stack (bash scripts/python-env.sh installs it).', facts: [] };
  if (p.state === 'error') return { state: 'error', summary: `The configured Python did not answer: ${p.message}`, facts: [{ label: 'Python', value: p.python }] };
  const r = p.report;
  const missing = missingForTrl(r);
  const cuda = r.cuda.available
    ? r.cuda.devices.map((d) => `${d.name} (${Math.round(d.memoryMB / 1024)} GB)`).join(', ')
    : `none${r.cuda.version ? ` (torch built for CUDA ${r.cuda.version})` : ''}`;
  return {
    state: missing.length ? 'incomplete' : 'ready',
    summary: missing.length ? `TRL runs need: ${missing.join(', ')} (bash scripts/python-env.sh installs the pinned stack).` : `TRL runs are available${r.cuda.available ? ' on the GPU' : ' (CPU only here)'}.`,
    facts: [
      { label: 'Python', value: `${r.python} (${r.executable})` },
      ...[...TRL_REQUIRED, ...TRL_OPTIONAL].map((n) => ({ label: n, value: r.packages[n] ?? 'not installed' })),
      { label: 'CUDA devices', value: cuda },
      ...(r.error ? [{ label: 'Problem', value: r.error }] : []),
    ],
  };
}

function fasterOf(r: EnvironmentReport, native: EnvironmentView['nativeKernels'], python: EnvironmentView['python'], p: PythonStatus | undefined): EnvironmentView['faster'] {
  const tfNode = r.backends.find((b) => (b.name === 'tensorflow' || b.name === 'tensorflow-gpu') && b.available);
  const gpu = p?.state === 'probed' && p.report.cuda.available && python?.state === 'ready';
  return [
    {
      id: 'native-kernels',
      title: 'Build the native kernels',
      done: native.present,
      detail: native.present
        ? 'Done: the WebAssembly backend runs its heavy kernels in OpenBLAS.'
        : 'sudo apt-get install libopenblas-dev && npm run build:native in the extension source (native/README.md): about 3–4× faster training on the WebAssembly backend.',
    },
    {
      id: 'tfjs-node',
      title: 'Install TensorFlow for Node (tfjs-node)',
      done: tfNode !== undefined,
      detail: tfNode
        ? `Done: ${tfNode.package} loads.`
        : 'npm install @tensorflow/tfjs-node (or -gpu with CUDA 11.2 / cuDNN 8.1) beside the extension: its installer downloads libtensorflow, so it needs network access once.',
    },
    {
      id: 'trl-gpu',
      title: 'Train with TRL on a GPU server',
      done: gpu,
      detail: gpu
        ? 'Done: the configured Python sees a CUDA GPU; set "engine": "trl" in a run config.'
        : 'Set "engine": "trl" in a run config and point clinicalFt.pythonPath at the pinned stack on a CUDA machine, or clinical-ft handoff --config run.json --out job for a server or a Slurm cluster.',
    },
  ];
}

/** The whole environment as a person reads it: shared by the panel, its Copy button and `clinical-ft env`. */
export function environmentView(r: EnvironmentReport, python?: PythonStatus, extra: Record<string, string> = {}): EnvironmentView {
  const chosenIndex = r.backends.findIndex((b) => b.name === r.selected);
  const skipped = r.backends.slice(0, Math.max(0, chosenIndex)).filter((b) => !b.available);
  const why =
    chosenIndex <= 0
      ? `${LABELS[r.selected]} is the fastest backend, and it loads here.`
      : `${LABELS[r.selected]} is the fastest backend that loads here${skipped.length ? `: ${skipped.map((b) => LABELS[b.name].replace(/ \(.*\)$/, '')).join(' and ')} ${skipped.length === 1 ? 'is' : 'are'} not available` : ''}.`;
  const native = nativeKernelsOf(r);
  const py = pythonOf(python);
  return {
    backend: { name: r.selected, label: LABELS[r.selected] },
    why,
    tried: r.backends.map((b) => ({ name: b.name, label: LABELS[b.name], available: b.available, chosen: b.name === r.selected, reason: backendReason(b) })),
    speed: speedOf(r),
    threads: threadsOf(r),
    nativeKernels: native,
    faster: fasterOf(r, native, py, python),
    ...(py ? { python: py } : {}),
    facts: [
      { label: 'Node.js', value: `${r.node} (${r.platform}-${r.arch})` },
      ...Object.entries(extra).map(([label, value]) => ({ label, value })),
      { label: 'CPU', value: `${r.cpus} × ${r.cpuModel}` },
      { label: 'Memory', value: `${(r.totalMemoryMB / 1024).toFixed(1)} GB` },
      { label: 'TensorFlow.js', value: r.tfjsVersion },
    ],
  };
}
