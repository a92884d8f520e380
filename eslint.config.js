import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const ELECTRON = { name: 'electron', message: 'Only main/electron/ may import electron.' };
const NO_MAIN = { regex: '^(\\.\\./)+main/', message: 'engine/ never imports main/: the control plane depends on the engine, not the other way.' };
const NO_CLI = { regex: '^(\\.\\./)+(main/)?cli/', message: 'Nothing in main/ imports the CLI: move what both need out of main/cli/.' };
const NO_NODE = { regex: '^node:', message: 'The renderer talks HTTP only and imports no Node module.' };
// import() is not covered by no-restricted-imports
const dynamicImport = (p) => ({ selector: `ImportExpression[source.value=/${p.regex.replaceAll('/', '\\/')}/]`, message: p.message });
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: NO_NODE.message }));

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.cache/**', 'renderer/dist/**', 'test-results/**', '**/*.svelte'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['main/**/*.ts', 'engine/**/*.ts', 'bench/**', 'test/**/*.ts', 'scripts/**', 'bin/**', '*.js', '*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**/*.ts', 'test/renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Dependency direction (renderer → HTTP only; main/electron → main → engine; nothing in main
  // imports the CLI). One block per folder, because a later no-restricted-imports replaces an
  // earlier one for the files both match.
  {
    files: ['**/*.ts'],
    ignores: ['main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON] }] },
  },
  {
    files: ['engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON], patterns: [NO_MAIN] }], 'no-restricted-syntax': ['error', dynamicImport(NO_MAIN)] },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/cli/**', 'main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON], patterns: [NO_CLI] }], 'no-restricted-syntax': ['error', dynamicImport(NO_CLI)] },
  },
  {
    files: ['main/electron/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_CLI] }], 'no-restricted-syntax': ['error', dynamicImport(NO_CLI)] },
  },
  {
    files: ['renderer/src/**/*.ts', 'test/renderer/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON, ...NODE_BUILTINS], patterns: [NO_NODE] }] },
  },
  {
    // CLI entry points and tests may print
    files: ['main/cli/**/*.ts', 'test/**/*.ts', 'scripts/**', 'bin/**', '**/*.spec.ts'],
    rules: { 'no-console': 'off' },
  },
);
