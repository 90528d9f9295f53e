/**
 * The dev server the browser tests load pages from: Vite with the repository's vite.config.ts, started in the
 * test process on a free port of 127.0.0.1 (a secure context, so OPFS is available).
 * Invariants:
 *   (1) No file watching and no HMR: other engineers edit the tree while tests run, and a reload in the middle
 *       of a test would be a flake, not a finding.
 *   (2) Never opens a browser window (vite.config.ts's `open` is for `npm start`).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer, type ViteDevServer } from 'vite'

/** Repository root. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))

/** A running dev server and its base URL (`http://127.0.0.1:<port>`). */
export interface DevServer {
  readonly baseUrl: string
  close(): Promise<void>
}

/** Starts Vite on a free port. Fails when build/rustydb.wasm is missing: the pages' workers fetch it. */
export async function startDevServer(): Promise<DevServer> {
  const wasm = resolve(REPO_ROOT, 'build/rustydb.wasm')
  if (!existsSync(wasm)) {
    throw new Error(`${wasm} is missing: the browser tests load the WASM core from it. Run \`npm run build:wasm\` first.`)
  }
  const server: ViteDevServer = await createServer({
    configFile: resolve(REPO_ROOT, 'vite.config.ts'),
    root: REPO_ROOT,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: true, open: false, hmr: false, watch: null },
  })
  await server.listen()
  const address = server.httpServer?.address()
  if (address === null || address === undefined || typeof address === 'string') {
    await server.close()
    throw new Error('vite dev server did not report a TCP address')
  }
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  }
}
