import { z } from 'zod';

/** The packages a TRL run needs; the report lists them and a few optional ones (QLoRA, DeepSpeed). */
export const TRL_REQUIRED = ['torch', 'transformers', 'trl', 'peft', 'accelerate', 'datasets'] as const;
export const TRL_OPTIONAL = ['bitsandbytes', 'deepspeed'] as const;

/** What the configured Python interpreter reports about itself (untrusted output: parsed, never assumed). */
export const PythonStackReport = z.object({
  python: z.string(),
  executable: z.string(),
  packages: z.record(z.string(), z.string().nullable()),
  cuda: z.object({
    available: z.boolean(),
    version: z.string().nullable(),
    devices: z.array(z.object({ name: z.string(), memoryMB: z.number() })),
  }),
  error: z.string().optional(),
});
export type PythonStackReport = z.infer<typeof PythonStackReport>;

/**
 * Run by the interpreter itself: versions from package metadata (fast, no imports), then torch alone for
 * CUDA. Prints one JSON line.
 */
export const PYTHON_PROBE = `
import json, sys
from importlib import metadata
r = {"python": sys.version.split()[0], "executable": sys.executable, "packages": {},
     "cuda": {"available": False, "version": None, "devices": []}}
for name in ${JSON.stringify([...TRL_REQUIRED, ...TRL_OPTIONAL])}:
    try:
        r["packages"][name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        r["packages"][name] = None
if r["packages"].get("torch"):
    try:
        import torch
        r["cuda"]["version"] = torch.version.cuda
        if torch.cuda.is_available():
            r["cuda"]["available"] = True
            for i in range(torch.cuda.device_count()):
                p = torch.cuda.get_device_properties(i)
                r["cuda"]["devices"].append({"name": p.name, "memoryMB": p.total_memory // (1024 * 1024)})
    except Exception as e:
        r["error"] = "torch did not load: %s" % e
print(json.dumps(r))
`;

/** Missing required packages, in order (empty: the TRL engine can run with this interpreter). */
export function missingForTrl(r: PythonStackReport): string[] {
  return TRL_REQUIRED.filter((n) => !r.packages[n]);
}

export function formatPythonStack(r: PythonStackReport): string {
  const pkgs = [...TRL_REQUIRED, ...TRL_OPTIONAL].map((n) => `${n} ${r.packages[n] ?? '—'}`).join(', ');
  const missing = missingForTrl(r);
  const cuda = r.cuda.available
    ? `${r.cuda.devices.length} CUDA device(s): ${r.cuda.devices.map((d) => `${d.name} (${d.memoryMB} MB)`).join(', ')}`
    : `no CUDA device${r.cuda.version ? ` (torch built for CUDA ${r.cuda.version})` : ''}`;
  return [
    'TRL engine (Python):',
    `  Python         ${r.python} (${r.executable})`,
    `  Packages       ${pkgs}`,
    `  Devices        ${cuda}`,
    ...(r.error ? [`  Problem        ${r.error}`] : []),
    missing.length === 0 ? '  ✓ TRL runs are available' : `  ✗ TRL runs need: ${missing.join(', ')} (bash scripts/python-env.sh installs the pinned stack)`,
  ].join('\n') + '\n';
}
