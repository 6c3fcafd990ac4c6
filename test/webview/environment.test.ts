// The environment panel: a probing state, then the view as text (backend, why, speed class, each backend tried,
// how to get faster, the TRL stack), its buttons' requests to the host, and a failure message; no CSP problems.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EnvironmentHostMessage, type EnvironmentView } from '../../src/core/protocol/environmentPanel';
import { closeBrowser, openPanel } from './panelPage';

after(closeBrowser);

const view: EnvironmentView = {
  backend: { name: 'wasm', label: 'WebAssembly (tfjs-backend-wasm)' },
  why: 'WebAssembly (tfjs-backend-wasm) is the fastest backend that loads here: TensorFlow native is not available.',
  tried: [
    { name: 'tensorflow', label: 'TensorFlow native (tfjs-node)', available: false, chosen: false, reason: 'not installed (optional package @tensorflow/tfjs-node)' },
    { name: 'wasm', label: 'WebAssembly (tfjs-backend-wasm)', available: true, chosen: true, reason: 'loads; SIMD on' },
    { name: 'cpu', label: 'Pure JavaScript (tfjs-backend-cpu)', available: true, chosen: false, reason: 'loads; pure JavaScript, the slowest' },
  ],
  speed: { class: 'cpu', headline: 'CPU class: 18 GFLOP/s', detail: 'Measured: 27 products.' },
  threads: '2 CPU cores',
  nativeKernels: { present: false, detail: 'Not loaded: not built (npm run build:native).' },
  faster: [
    { id: 'native-kernels', title: 'Build the native kernels', done: false, detail: 'npm run build:native' },
    { id: 'tfjs-node', title: 'Install TensorFlow for Node (tfjs-node)', done: false, detail: 'npm install @tensorflow/tfjs-node' },
    { id: 'trl-gpu', title: 'Train with TRL on a GPU server', done: true, detail: 'Done.' },
  ],
  python: { state: 'ready', summary: 'TRL runs are available on the GPU.', facts: [{ label: 'Python', value: '3.11.2 (/venv/bin/python)' }] },
  facts: [{ label: 'CPU', value: '2 × <b>Xeon</b>' }],
};

test('probing, then the whole view rendered as text; buttons ask the host to probe again, copy, and open the Python setting', async () => {
  const p = await openPanel('environment', EnvironmentHostMessage);
  await p.send({ type: 'probing' });
  assert.match((await p.texts('.status'))[0], /Probing/);
  await p.send({ type: 'view', view });
  assert.deepEqual(await p.texts('[data-section="backend"] .headline'), ['WebAssembly (tfjs-backend-wasm)']);
  assert.equal(await p.page.getAttribute('[data-speed-class]', 'data-speed-class'), 'cpu');
  assert.deepEqual(await p.texts('.tried li.chosen strong'), ['WebAssembly (tfjs-backend-wasm)']);
  assert.match((await p.texts('.tried li[data-backend="tensorflow"]'))[0], /not installed \(optional package @tensorflow\/tfjs-node\)/);
  assert.deepEqual(await p.texts('.faster li[data-done="false"] strong'), ['Build the native kernels', 'Install TensorFlow for Node (tfjs-node)']);
  assert.deepEqual(await p.texts('.faster li[data-done="true"] strong'), ['✓ Train with TRL on a GPU server']);
  assert.equal(await p.page.getAttribute('[data-section="native"] p', 'data-present'), 'false');
  assert.deepEqual(await p.texts('[data-section="python"] p'), ['TRL runs are available on the GPU.']);
  // Text stays text: markup in a value is shown, never parsed.
  assert.deepEqual(await p.texts('[data-section="machine"] dd'), ['2 × <b>Xeon</b>']);
  assert.equal(await p.page.locator('[data-section="machine"] b').count(), 0);
  const n = (await p.posted()).length;
  await p.page.click('button:has-text("Probe again")');
  await p.waitPosted('refresh', n);
  await p.page.click('button:has-text("Copy as text")');
  await p.waitPosted('copy', n);
  await p.page.click('button:has-text("Set the Python interpreter")');
  await p.waitPosted('openPythonSetting', n);
  await p.send({ type: 'copied' });
  assert.deepEqual(await p.texts('.status'), ['Copied the report to the clipboard.']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});

test('a failed probe is one readable message', async () => {
  const p = await openPanel('environment', EnvironmentHostMessage);
  await p.send({ type: 'failed', message: 'the trainer exited with code 1' });
  assert.deepEqual(await p.texts('.status.error'), ['The environment probe failed: the trainer exited with code 1']);
  await p.close();
  assert.deepEqual(p.problems(), []);
});
