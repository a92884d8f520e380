import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 * - `unit`: every `*.spec.ts` beside its module (node environment), no services.
 * - `renderer`: the Svelte UI specs (jsdom), configured in renderer/vitest.config.ts.
 * - `integration`: `test/**\/*.test.ts` against real Kafka, Cassandra and Redis;
 *   test/global-setup.ts brings the stack up once (or reuses a running one),
 *   files run one at a time because they share the servers.
 */
export default defineConfig({
  test: {
    // global-setup's teardown stops the stack it started (Cassandra drains on SIGTERM)
    teardownTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.spec.ts'],
          exclude: ['**/node_modules/**', 'dist/**', 'release/**', '.cache/**', 'renderer/**'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      'renderer/vitest.config.ts',
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
