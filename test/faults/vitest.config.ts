import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`npm run test:faults`): kept out of plain `npm test` because
 * it starts its own native stack on private ports and restarts its services
 * (≈ 15–25 min on a 2-core machine; `.ci/run` runs it after `npm test`).
 * One file, one shared private stack, cases in sequence.
 */
export default defineConfig({
  root: join(import.meta.dirname, '..', '..'),
  test: {
    name: 'faults',
    include: ['test/faults/**/*.fault.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 900_000,
    teardownTimeout: 300_000,
  },
});
