import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  plugins: [react()],
  // The API schemas are shared with the collector as TypeScript source; the `source` condition
  // makes `@casefile/contract` resolve to `contract/src/index.ts` without a build.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // `npm run dev -w ui` proxies the API to a running collector (same origin, as in production).
  server: { proxy: { '/api': process.env.CASEFILE_URL ?? 'http://localhost:4318' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The collector's CSP has no 'unsafe-inline' and no data: scripts, so nothing may be inlined
    // as a script; small assets stay as files.
    assetsInlineLimit: 0,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Pages are loaded on first visit (src/app/pages.ts). React itself is its own chunk: it changes
        // far less often than the app, so a browser keeps it cached across releases of the app.
        codeSplitting: { groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }] },
      },
    },
  },
});
