// The one model-folder rule: setting, then the bundled sample model (extension, then workspace), each only
// when it holds config.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultModelFolder, requireModelFolder } from '../../../src/core/node/modelFolder';

test('default model: the setting (relative to the workspace), else the sample model; never a folder without config.json', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-modelfolder-'));
  const ext = path.join(tmp, 'ext');
  const wsRoot = path.join(tmp, 'ws');
  const mk = (dir: string, config: boolean) => {
    fs.mkdirSync(dir, { recursive: true });
    if (config) fs.writeFileSync(path.join(dir, 'config.json'), '{}');
  };
  mk(path.join(wsRoot, 'models', 'mine'), true);
  mk(path.join(wsRoot, 'models', 'empty'), false);
  mk(path.join(wsRoot, 'datasets-sample', 'model'), true);
  assert.equal(defaultModelFolder({ setting: 'models/mine', workspace: wsRoot, extensionPath: ext }), path.join(wsRoot, 'models', 'mine'));
  assert.equal(defaultModelFolder({ setting: 'models/empty', workspace: wsRoot, extensionPath: ext }), path.join(wsRoot, 'datasets-sample', 'model'), 'a setting without config.json falls through');
  mk(path.join(ext, 'datasets-sample', 'model'), true);
  assert.equal(defaultModelFolder({ workspace: wsRoot, extensionPath: ext }), path.join(ext, 'datasets-sample', 'model'), 'the bundled model before the workspace copy');
  assert.equal(defaultModelFolder({ extensionPath: path.join(tmp, 'none') }), undefined);
  assert.throws(() => requireModelFolder(path.join(wsRoot, 'models', 'empty')), /not a Hugging Face model folder \(no config\.json\)/);
  assert.throws(() => requireModelFolder(path.join(tmp, 'missing')), /model folder not found/);
  fs.rmSync(tmp, { recursive: true, force: true });
});
