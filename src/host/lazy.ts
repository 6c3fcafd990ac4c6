import * as vscode from 'vscode';

/**
 * Activation must stay under 100 ms, and zod alone costs ~70 ms to evaluate. So feature modules are
 * reached through dynamic import(): esbuild keeps them in dist/extension.js but evaluates them only on
 * first use. Register a command whose implementation loads on first invocation.
 */
export function lazyCommand<A extends unknown[], R>(
  context: vscode.ExtensionContext,
  command: string,
  load: () => Promise<(...args: A) => R | Thenable<R>>,
): void {
  let impl: Promise<(...args: A) => R | Thenable<R>> | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(command, async (...args: A) => {
      impl ??= load();
      return (await impl)(...args);
    }),
  );
}
