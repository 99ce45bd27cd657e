import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the Latchkey server at /console/ (packages/server/src/http/surfaces/console.ts), so
// every asset URL starts there. Hashed file names under assets/ let the server cache them for a
// year; index.html is revalidated on every load.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows no inline script or style: no inlined module-preload polyfill, no data: scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: true,
  },
  server: {
    // `npx vite` in this folder during development: the API calls go to a local `latchkey serve`.
    proxy: { '/api': 'http://127.0.0.1:8080', '/.well-known': 'http://127.0.0.1:8080', '/console/server.json': 'http://127.0.0.1:8080' },
  },
});
