import type { PythonStackReport } from './pythonStack';
import type { Method } from './preferences/methods';

/** How a TRL job runs on this machine (the `clinical-ft handoff` flags --accelerate and --num-processes). */
export interface TrlLaunchPlan {
  mode: 'cpu' | 'single-gpu' | 'multi-gpu';
  numProcesses: number;
}

/**
 * Examples each process must get per micro-batch: KTO estimates its KL term from mismatched prompt/completion pairs
 * inside each process's batch, and TRL's KTOTrainer refuses fewer than 2 (one example would be its own KL row).
 */
export function minExamplesPerProcess(method: Method): number {
  return method === 'kto' ? 2 : 1;
}

/**
 * A run started from VS Code trains here: every CUDA device, one process each; without CUDA two CPU processes
 * (gloo) where there are two cores, so the run is data-parallel like on a GPU server. The batch is split
 * evenly over processes (the handoff refuses otherwise), so the count falls back to one that divides it and leaves
 * each process the examples its method needs (`method`: KTO's two).
 */
export function localLaunchPlan(report: PythonStackReport, cpuCount: number, batchSize: number, method: Method): TrlLaunchPlan {
  const gpus = report.cuda.available ? report.cuda.devices.length : 0;
  const want = gpus > 0 ? gpus : Math.min(2, Math.max(1, cpuCount));
  const least = minExamplesPerProcess(method);
  let n = want;
  while (n > 1 && (batchSize % n !== 0 || batchSize / n < least)) n--;
  if (gpus === 0) return { mode: 'cpu', numProcesses: n };
  return n > 1 ? { mode: 'multi-gpu', numProcesses: n } : { mode: 'single-gpu', numProcesses: 1 };
}

export function describePlan(plan: TrlLaunchPlan): string {
  const where = plan.mode === 'cpu' ? 'CPU' : 'GPU';
  return `${plan.numProcesses} ${where} process${plan.numProcesses > 1 ? 'es' : ''}`;
}
