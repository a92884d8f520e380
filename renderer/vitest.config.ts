/// <reference types="node" />
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The renderer's component and unit specs (jsdom + @testing-library/svelte).
// Run alone: `npx vitest run --config renderer/vitest.config.ts`; the root
// vitest.config.ts can list this file under `test.projects`.
export default defineConfig({
  plugins: [svelte()],
  root: import.meta.dirname,
  resolve: { conditions: ['browser'] },
  test: {
    name: 'renderer',
    include: ['src/**/*.spec.ts'],
    environment: 'jsdom',
    // unmounts rendered components after each test
    setupFiles: ['@testing-library/svelte/vitest'],
    testTimeout: 20_000,
  },
});
