// Entry of dist/trainer.js: the training child process of the extension (--child, Node IPC) and the
// `clinical-ft` CLI. Both share one engine; only the transport differs. Each mode is loaded on demand, so a
// light command (validate, env) never evaluates the training stack.

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const { runChild } = await import('./child');
    // After ./child: registering handlers needs child.ts evaluated first (an import from child.ts would be a cycle).
    await import('./train/trainHandlers');
    runChild();
    return;
  }
  const { runCli } = await import('./cli');
  process.exitCode = await runCli(process.argv.slice(2));
}

main().catch((e: unknown) => {
  process.stderr.write(`clinical-ft: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
