// The bundled CLI (dist/trainer.js) run from inside the extension host, the way tests prepare runs and
// cross-check what the UI shows. The host's Node is Electron's: ELECTRON_RUN_AS_NODE makes it plain Node.
import * as cp from 'node:child_process';
import * as path from 'node:path';

const argv = (extensionPath: string, args: string[]) => [path.join(extensionPath, 'dist', 'trainer.js'), ...args];
const env = () => ({ ...process.env, ELECTRON_RUN_AS_NODE: '1' });

/** For quick commands (validate, inspect, --help): blocks the host while it runs. */
export function trainerCliSync(extensionPath: string, args: string[], timeoutMs = 60_000): cp.SpawnSyncReturns<string> {
  return cp.spawnSync(process.execPath, argv(extensionPath, args), { env: env(), encoding: 'utf8', timeout: timeoutMs });
}

/** For training and evaluation: does not block the extension host (a synchronous child would freeze the workbench). */
export function trainerCli(extensionPath: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = cp.spawn(process.execPath, argv(extensionPath, args), { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}
