import { UsageError } from './args';
import { Backend } from '../../core/runConfig';

export function backendFlag(value: string | boolean | undefined): Backend {
  const pref = Backend.safeParse(value ?? 'auto');
  if (!pref.success) throw new UsageError('--backend must be one of auto, tensorflow, wasm, cpu');
  return pref.data;
}

export function numberFlag(name: string, value: string | boolean | undefined, fallback: number, check: (n: number) => boolean, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${what}`);
  return n;
}

export function stringFlag(name: string, value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

/** Engine failures (bad folder, bad adapter) are IO errors: exit 2 with the message, never a stack trace. */
export async function withEngineErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`clinical-ft: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
