import { performance } from 'node:perf_hooks';

/** Measures activate() itself, from its first line to its return. */
export class ActivationTiming {
  private readonly start = performance.now();
  ms = 0;
  done(): void {
    this.ms = performance.now() - this.start;
  }
}
