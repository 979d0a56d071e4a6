import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.d.ts', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', structuredClone: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', queueMicrotask: 'readonly', performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // The design's arrows (shared/DESIGN.md), for editors; scripts/check-imports.mjs
  // checks the same arrows on dynamic import() too, and that src/ has no cycle.
  {
    files: ['src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(?!asl/)[\\w-]+/', message: 'engine imports only asl and itself' }] }] },
  },
  {
    files: ['src/asl/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'asl imports nothing of deliv' }] }] },
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(project|engine|local|deploy|logs|cost|explain|graph|testing|run|commands)/', message: 'ui imports no domain folder' }] }] },
  },
  {
    files: ['src/aws/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(engine|local|deploy|logs|cost|explain|graph|testing|run|commands)/', message: 'aws imports no domain folder but project' }] }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/commands/**', 'src/aws/**', 'src/engine/**', 'src/asl/**', 'src/ui/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+commands/', message: 'commands import domain folders, never the other way' }] }] },
  },
);
