/**
 * Loading the WASM core module.
 * Owns: where build/rustydb.wasm comes from on each platform, and the compiled-module cache.
 * Invariants:
 *   (1) The default module is compiled once per JS realm and shared by every WasmCore (each core still has
 *       its own instance, memory and pool).
 *   (2) Node reads the file from disk (the URL's protocol is file:); `node:fs/promises` is imported only then,
 *       so browser bundles never pull a Node module. Browsers fetch the URL (Vite turns
 *       `new URL('../../build/rustydb.wasm', import.meta.url)` into an asset) with compileStreaming, falling back
 *       to compile(arrayBuffer) when the server's MIME type is not application/wasm.
 *   (3) A failed default compilation is not cached: the next call tries again.
 * Not here: Cloudflare Workers, which import the module as a binding and pass it as CoreOptions.module.
 */
import { ioError } from '../common/index.js'

const DEFAULT_URL = new URL('../../build/rustydb.wasm', import.meta.url)

let cached: Promise<WebAssembly.Module> | undefined

async function compileFromUrl(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') {
    const fs = await import('node:fs/promises')
    let bytes: Uint8Array<ArrayBuffer>
    try {
      // A Buffer from readFile owns a plain (non-shared) ArrayBuffer.
      bytes = (await fs.readFile(url)) as Uint8Array<ArrayBuffer>
    } catch (cause) {
      throw ioError(url.pathname, 'read', cause)
    }
    return WebAssembly.compile(bytes)
  }
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(fetch(url))
    } catch {
      // Wrong MIME type or no streaming support in this server: fall back to a buffered compile.
    }
  }
  let response: Response
  try {
    response = await fetch(url)
  } catch (cause) {
    throw ioError(url.href, 'fetch', cause)
  }
  if (!response.ok) throw ioError(url.href, 'fetch', `HTTP ${response.status}`)
  return WebAssembly.compile(await response.arrayBuffer())
}

/**
 * Compiles the WASM core module. Without a source: build/rustydb.wasm relative to this file, compiled once
 * and cached (invariant 1). With bytes or a URL: compiled as given (not cached).
 *
 * @example
 * const module = await compileCore()
 * const core = await WasmCore.create({ host, pageSize: 4096, cachePages: 256, fileName: 'app.rdb', module })
 */
export function compileCore(source?: BufferSource | URL): Promise<WebAssembly.Module> {
  if (source instanceof URL) return compileFromUrl(source)
  if (source !== undefined) return WebAssembly.compile(source)
  if (cached === undefined) {
    const pending = compileFromUrl(DEFAULT_URL)
    cached = pending
    pending.catch(() => {
      if (cached === pending) cached = undefined
    })
  }
  return cached
}
