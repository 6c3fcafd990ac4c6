// Lint: typescript-eslint's recommended rules plus the doors between the rooms (DESIGN.md "Rooms").
// test/unit/rooms.test.ts enforces the same doors on the import graph, so a lint skip cannot hide a breach.
import tseslint from 'typescript-eslint';

const tfjs = ['@tensorflow/*'];
const nodeBuiltins = ['fs', 'fs/*', 'path', 'child_process', 'os', 'net', 'http', 'https', 'crypto', 'worker_threads', 'node:*'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-artifacts/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['vscode', ...tfjs, '**/host/**', '**/trainer/**', '**/webview/**'], message: 'src/core is pure: no vscode, no tfjs, no other room.' }] }] },
  },
  {
    files: ['src/host/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: [...tfjs, '**/trainer/**'], message: 'The host never loads tfjs or trainer code: it talks to the trainer process.' }] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['vscode', ...tfjs, ...nodeBuiltins, '**/host/**', '**/trainer/**'], message: 'webview/ is browser code: only src/core and browser packages.' }] }] },
  },
);
