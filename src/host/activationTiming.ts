import { performance } from 'node:perf_hooks';

declare const __clinicalFtLoadStart: number | undefined;

/** Measures from the first line of dist/extension.js (module evaluation included) to activate()'s return. */
export class ActivationTiming {
  private readonly start = typeof __clinicalFtLoadStart === 'number' ? __clinicalFtLoadStart : performance.now();
  ms = 0;
  done(): void {
    this.ms = performance.now() - this.start;
  }
}
