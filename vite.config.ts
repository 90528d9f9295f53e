/**
 * Vite configuration for the browser side: the storage smoke page (demo/, `npm start`) and the page the browser
 * tests drive (e2e/page/, started programmatically by e2e/support/vite-server.ts with `open: false`).
 * Invariants:
 *   (1) The root is the repository, so `new URL('../../build/rustydb.wasm', import.meta.url)` in engine/wasm
 *       resolves to /build/rustydb.wasm and the dev server serves the file `npm run build:wasm` wrote.
 *   (2) Workers are ES modules (`new Worker(url, { type: 'module' })`) in dev and in builds.
 *   (3) Node-only modules never reach the browser: the core's loader imports node:fs dynamically and only for
 *       file: URLs; Vite leaves that import to a browser stub the browser never evaluates.
 *   (4) A `.js` URL that names a TypeScript source (`new URL('./worker.js', import.meta.url)` in web/client.ts,
 *       which is right for the published dist/ files) is served from the `.ts` file next to it, as tsc's
 *       NodeNext imports are.
 * Not here: the library build (tsc, tsconfig.build.json); the demo build goes to dist/demo (dist/web is the
 * package's rustydb/web).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig, type Plugin } from 'vite'

/** Invariant (4): `/web/worker.js` -> `/web/worker.ts` when only the TypeScript source exists. */
function tsSourceForJsUrl(): Plugin {
  let root = process.cwd()
  return {
    name: 'rustydb:ts-source-for-js-url',
    enforce: 'pre',
    configResolved(config) {
      root = config.root
    },
    resolveId(source) {
      const path = source.split('?')[0]
      if (!path.startsWith('/') || !path.endsWith('.js')) return null
      const file = resolve(root, `.${path}`)
      const ts = file.slice(0, -3) + '.ts'
      if (existsSync(file) || !existsSync(ts)) return null
      return ts + source.slice(path.length)
    },
  }
}

export default defineConfig({
  root: '.',
  appType: 'mpa',
  plugins: [tsSourceForJsUrl()],
  clearScreen: false,
  server: {
    open: '/demo/',
  },
  worker: {
    format: 'es',
  },
  build: {
    target: 'es2022',
    outDir: 'dist/demo',
    rollupOptions: {
      input: { demo: 'demo/index.html' },
    },
  },
  optimizeDeps: {
    // Only the pages' own imports; without this Vite scans every HTML file under the root (node_modules included).
    entries: ['demo/index.html', 'e2e/page/index.html', 'e2e/page/web.html', 'e2e/page/web-kysely.html'],
    // The web worker's dependencies and the Kysely test page's, bundled up front so the dev server never
    // reloads a page mid-test.
    include: ['comlink', 'idb-keyval', 'kysely', 'kysely/migration'],
  },
})
