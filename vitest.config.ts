import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (the library, in-process, seconds) and `e2e` (the built
 * CLI as a user runs it, child processes, a real browser). `npm test` builds
 * and runs both; `npm run test:unit` needs no build.
 */
const E2E = ['test/e2e/**/*.test.ts', 'test/**/*.browser.test.ts', 'test/local/crash.test.ts', 'test/local/durability.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E },
      },
      {
        extends: true,
        test: { name: 'e2e', include: E2E },
      },
    ],
  },
});
