// Entry of dist/trainer.js: the training child process of the extension (--child, Node IPC) and the
// `clinical-ft` CLI. Both share one engine; only the transport differs.
import { runChild } from './child';
// After ./child: registering handlers needs child.ts evaluated first (an import from child.ts would be a cycle).
import './train/trainHandlers';
import { runCli } from './cli';

if (process.argv.includes('--child')) {
  runChild();
} else {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`clinical-ft: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
