// Entry of `npm run demo` (scripts/demo.mjs bundles this file): main.ts only exports, so tests can import it
// without starting a demo.
import { main, parseArgs } from './main';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
(async () => main(parseArgs(process.argv.slice(2), root)))().catch((e: unknown) => {
  process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
