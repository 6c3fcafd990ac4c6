import { performance } from 'node:perf_hooks';

// Set by esbuild's banner and footer on the first and last line of dist/extension.js.
declare const __clinicalFtLoadStart: number | undefined;
declare const __clinicalFtLoadEnd: number | undefined;

/**
 * Activation cost as the user pays it: evaluating dist/extension.js plus activate() itself. The extension
 * host may do other work between loading the module and calling activate; that gap is not ours.
 */
export class ActivationTiming {
  private readonly moduleMs =
    typeof __clinicalFtLoadStart === 'number' && typeof __clinicalFtLoadEnd === 'number' ? __clinicalFtLoadEnd - __clinicalFtLoadStart : 0;
  private readonly start = performance.now();
  ms = 0;
  done(): void {
    this.ms = this.moduleMs + (performance.now() - this.start);
  }
}
