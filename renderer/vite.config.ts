import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Build with `npx vite build renderer` (root = renderer/, output renderer/dist).
// The UI is served by the control server at `/`; relative asset paths let the
// same build load from any origin (control server, Electron, a static server).
export default defineConfig({
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': 'http://127.0.0.1:7800',
      '/control': 'http://127.0.0.1:7800',
    },
  },
});
