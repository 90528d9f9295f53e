/**
 * Vite configuration for the browser side: the storage smoke page (demo/, `npm start`) and the page the browser
 * tests drive (e2e/page/, started programmatically by e2e/support/vite-server.ts with `open: false`).
 * Invariants:
 *   (1) The root is the repository, so `new URL('../../build/rustydb.wasm', import.meta.url)` in engine/wasm
 *       resolves to /build/rustydb.wasm and the dev server serves the file `npm run build:wasm` wrote.
 *   (2) Workers are ES modules (`new Worker(url, { type: 'module' })`) in dev and in builds.
 *   (3) Node-only modules never reach the browser: the core's loader imports node:fs dynamically and only for
 *       file: URLs; Vite leaves that import to a browser stub the browser never evaluates.
 * Not here: the library build (tsc, tsconfig.build.json).
 */
import { defineConfig } from 'vite'

export default defineConfig({
  root: '.',
  appType: 'mpa',
  clearScreen: false,
  server: {
    open: '/demo/',
  },
  worker: {
    format: 'es',
  },
  build: {
    target: 'es2022',
    outDir: 'dist/web',
    rollupOptions: {
      input: { demo: 'demo/index.html' },
    },
  },
  optimizeDeps: {
    // Only the pages' own imports; without this Vite scans every HTML file under the root (node_modules included).
    entries: ['demo/index.html', 'e2e/page/index.html'],
  },
})
