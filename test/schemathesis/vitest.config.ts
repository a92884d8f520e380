import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * schemathesis against the engine API (`npm run test:schemathesis`): kept out
 * of plain `npm test` because it needs the schemathesis CLI (PyPI, installed
 * into .cache/schemathesis by `.ci/run` or `npm run schemathesis:install`) and
 * takes a few minutes. Uses the test stack like the integration tests.
 */
export default defineConfig({
  root: join(import.meta.dirname, '..', '..'),
  test: {
    name: 'schemathesis',
    include: ['test/schemathesis/**/*.st.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    // a run is minutes on a quiet 2-core machine; a loaded one (other jobs beside it) takes several times that
    testTimeout: 2_400_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
  },
});
