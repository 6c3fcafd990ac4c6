import * as vscode from 'vscode';

/**
 * One start flow on screen: a single quick pick reused for every step, and one cancellation for the whole
 * flow. Escape (or anything else that hides the widget) at any step — including while the dataset is being
 * validated — cancels the flow, and nothing is started. A widget that belongs to one step answers only that
 * step: once a step is answered its items are removed, and while work runs between steps the widget shows
 * busy with nothing to pick, so a stray Enter is dropped instead of landing on the next step's first item.
 * (The widget stays enabled throughout: a disabled one loses the keyboard focus, and with it the Escape.)
 *
 * At most one flow exists: starting another supersedes the one in progress (the latest command is what the
 * person asked for; the older flow can never surface again later), see `StartFlowSession.begin`.
 */
export class StartFlowSession implements vscode.Disposable {
  private static current: StartFlowSession | undefined;

  private readonly cts = new vscode.CancellationTokenSource();
  private readonly pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  /** The widget is hidden on purpose (an open dialog or input box is in front of it), not by the person. */
  private stepAside = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** Ends any flow in progress (as if Escape were pressed there) and starts a new one. */
  static begin(): StartFlowSession {
    StartFlowSession.current?.cancel();
    const session = new StartFlowSession();
    StartFlowSession.current = session;
    return session;
  }

  private constructor() {
    this.pick.ignoreFocusOut = true;
    this.disposables.push(
      this.pick,
      this.cts,
      this.pick.onDidHide(() => {
        if (!this.stepAside) this.cancel();
      }),
    );
  }

  get token(): vscode.CancellationToken {
    return this.cts.token;
  }

  get cancelled(): boolean {
    return this.cts.token.isCancellationRequested;
  }

  /** Shows one step's choices; undefined when the flow was cancelled (Escape, superseded). */
  choose<T extends vscode.QuickPickItem>(
    step: { title: string; placeholder?: string; matchOnDescription?: boolean; matchOnDetail?: boolean; active?: (item: T) => boolean },
    items: readonly T[] | Promise<readonly T[]>,
  ): Promise<T | undefined> {
    if (this.cancelled) return Promise.resolve(undefined);
    const p = this.pick as unknown as vscode.QuickPick<T>;
    return new Promise<T | undefined>((resolve) => {
      const subs: vscode.Disposable[] = [];
      let ready = false;
      let done = false;
      const finish = (value: T | undefined) => {
        if (done) return;
        done = true;
        subs.forEach((s) => s.dispose());
        // Until the next step fills the widget, nothing in it can be accepted.
        if (!this.cancelled) {
          p.items = [];
          p.busy = true;
        }
        resolve(value);
      };
      subs.push(
        this.cts.token.onCancellationRequested(() => finish(undefined)),
        p.onDidAccept(() => {
          const chosen = p.selectedItems[0] ?? p.activeItems[0];
          if (ready && chosen) finish(chosen);
        }),
      );
      p.title = step.title;
      p.placeholder = step.placeholder;
      p.matchOnDescription = step.matchOnDescription ?? false;
      p.matchOnDetail = step.matchOnDetail ?? false;
      p.value = '';
      p.items = [];
      p.busy = true; // typing may start while the items load; accepting waits for them
      this.show();
      void Promise.resolve(items).then((list) => {
        if (this.cancelled) return;
        p.items = list;
        // A preselection never overrides what the person has typed meanwhile (it may be filtered out).
        const active = step.active && p.value === '' ? list.find(step.active) : undefined;
        if (active) p.activeItems = [active];
        p.busy = false;
        ready = true;
      });
    });
  }

  /** Work between steps (validation): the widget says what is going on and accepts nothing; Escape cancels it. */
  async working<R>(title: string, work: (token: vscode.CancellationToken) => Promise<R>): Promise<R | undefined> {
    if (this.cancelled) return undefined;
    this.pick.title = title;
    this.pick.placeholder = 'Press Escape to cancel';
    this.pick.value = '';
    this.pick.items = [];
    this.pick.busy = true;
    this.show();
    const result = await work(this.token);
    return this.cancelled ? undefined : result;
  }

  /**
   * Something else takes the screen (an open dialog, an input box): the widget steps aside without
   * cancelling the flow. `undefined` from `fn` is the person backing out: the whole flow ends.
   */
  async aside<R>(fn: () => Thenable<R | undefined>): Promise<R | undefined> {
    if (this.cancelled) return undefined;
    this.stepAside = true;
    this.pick.hide();
    try {
      const r = await fn();
      if (r === undefined) this.cancel();
      return this.cancelled ? undefined : r;
    } finally {
      this.stepAside = false;
    }
  }

  /** A text field edited in an input box of its own; Escape there cancels the flow like everywhere else. */
  input(options: { title: string; prompt?: string; value: string; validate: (text: string) => string | undefined }): Promise<string | undefined> {
    return this.aside(
      () =>
        new Promise<string | undefined>((resolve) => {
          const box = vscode.window.createInputBox();
          const subs: vscode.Disposable[] = [box];
          let done = false;
          // Disposing the box fires its onDidHide synchronously: answer first, so that hide is not read as Escape.
          const finish = (v: string | undefined) => {
            if (done) return;
            done = true;
            resolve(v);
            subs.forEach((s) => s.dispose());
          };
          box.title = options.title;
          box.prompt = options.prompt;
          box.value = options.value;
          box.ignoreFocusOut = true;
          subs.push(
            box.onDidChangeValue((t) => (box.validationMessage = options.validate(t))),
            box.onDidAccept(() => {
              const problem = options.validate(box.value);
              box.validationMessage = problem;
              if (!problem) finish(box.value);
            }),
            box.onDidHide(() => finish(undefined)),
            this.cts.token.onCancellationRequested(() => finish(undefined)),
          );
          box.show();
        }),
    );
  }

  cancel(): void {
    if (!this.cancelled) this.cts.cancel();
    this.dispose();
  }

  private show(): void {
    this.pick.show();
  }

  dispose(): void {
    if (StartFlowSession.current === this) StartFlowSession.current = undefined;
    if (!this.cancelled) this.cts.cancel();
    this.stepAside = true; // hiding on dispose is not the person's Escape
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
  }
}
