import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The app is served by Parley itself (same origin), so it needs no proxy in production; the
// dev server forwards the API to a local Parley.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle: no inline scripts (the CSP forbids them), no module-preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/v1': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
