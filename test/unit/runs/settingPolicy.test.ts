// Settings a workspace must not decide: clinicalFt.nodePath runs a program (scope "machine"), clinicalFt.annotator
// speaks for the user (user settings only), clinicalFt.phiAsErrors protects the user (a workspace may turn it
// on, never off against the user's setting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { phiGateOn, userValue } from '../../../src/core/settings/settingPolicy';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const settings = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } }).contributes.configuration.properties;

test('the manifest scopes: nodePath machine, annotator application', () => {
  assert.equal(settings['clinicalFt.nodePath'].scope, 'machine');
  assert.equal(settings['clinicalFt.annotator'].scope, 'application');
});

test('a workspace cannot turn the PHI gate off against the user, but may turn it on', () => {
  assert.equal(phiGateOn({ defaultValue: false, globalValue: true, workspaceValue: false }), true);
  assert.equal(phiGateOn({ defaultValue: false, globalValue: true, workspaceFolderValue: false }), true);
  assert.equal(phiGateOn({ defaultValue: false, workspaceValue: true }), true);
  assert.equal(phiGateOn({ defaultValue: false, globalValue: false, workspaceFolderValue: true }), true);
  assert.equal(phiGateOn({ defaultValue: false }), false);
  assert.equal(phiGateOn({ defaultValue: false, globalValue: false, workspaceValue: false }), false);
  assert.equal(phiGateOn(undefined), false);
});

test('user-only settings ignore workspace and folder values', () => {
  assert.equal(userValue({ defaultValue: '', globalValue: 'dr.a', workspaceValue: 'dr.b', workspaceFolderValue: 'dr.c' }), 'dr.a');
  assert.equal(userValue({ defaultValue: '', workspaceValue: '/tmp/evil-node' }), '');
  assert.equal(userValue(undefined), undefined);
});
