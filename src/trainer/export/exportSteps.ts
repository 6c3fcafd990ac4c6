// Progress and cancellation of an export, checked once per tensor: a cancel takes effect within one tensor.
export class ExportCancelled extends Error {
  constructor() {
    super('export cancelled');
    this.name = 'ExportCancelled';
  }
}

export interface ExportProgress {
  done: number;
  total: number;
  message: string;
}

export class ExportSteps {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress: (p: ExportProgress) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Yields to the event loop (so a SIGTERM or an abort can land), then throws ExportCancelled when cancelled;
   * otherwise reports the tensor about to be written.
   */
  async tensor(name: string): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.check();
    this.done++;
    this.onProgress({ done: this.done, total: this.total, message: name });
  }

  check(): void {
    if (this.signal?.aborted) throw new ExportCancelled();
  }
}
