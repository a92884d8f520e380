import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The cluster fault suite (`npm run test:cluster`): its own 3-node Kafka and Cassandra cluster
 * on 127.0.0.2–127.0.0.4, so it is kept out of plain `npm test` (see RELIABILITY.md for its
 * runtime). One file, one case.
 */
export default defineConfig({
  root: join(import.meta.dirname, '..', '..'),
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.fault.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 3_600_000,
    hookTimeout: 1_200_000,
    teardownTimeout: 300_000,
  },
});
