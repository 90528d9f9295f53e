/**
 * The RustyDB browser worker: a dedicated module worker that runs the engine for one database of its page.
 * Owns: exposing the WorkerApi (web/protocol.ts) to the page through comlink; nothing else.
 * Invariants:
 *   (1) One database per worker: the page starts one worker per openDatabase() call.
 *   (2) No call rejects: connect answers `{ ok: false, error }` with RustyErrorData, call answers a DbReply
 *       (protocol (2)), so comlink never serializes an Error (it would drop code, position, ...).
 *   (3) Startup work overlaps: the WASM core compiles while the worker connects (startup, issue #5).
 * How a bundler finds this file: web/client.ts starts it with
 * `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`, the pattern Vite recognises (and
 * webpack 5 documents); the worker in turn loads the WASM core with
 * `new URL('../../build/rustydb.wasm', import.meta.url)` (engine/wasm/loader.ts), which Vite emits as an asset.
 * Not here: the coordination logic (coordinator.ts).
 */
import { expose } from 'comlink'
import { RustyError, compileCore, internalError } from '../engine/index.js'
import { Coordinator } from './coordinator.js'
import type { WorkerApi } from './protocol.js'

// Invariant (3): the WASM core's fetch and compile start now, while the page connects and the leader election
// and OPFS open run; the database's open awaits the same cached compilation (engine/wasm/loader.ts (1)). A failure
// is not cached there: the open tries again and reports it.
compileCore().catch(() => undefined)

const coordinator = new Coordinator()

const api: WorkerApi = {
  async connect(options, onEvent) {
    try {
      return { ok: true, value: await coordinator.connect(options, onEvent) }
    } catch (e) {
      const error = e instanceof RustyError ? e : internalError(e instanceof Error ? e.message : String(e), e)
      return { ok: false, error: error.toJSON() }
    }
  },
  call: (session, request) => coordinator.call(session, request),
  close: () => coordinator.close(),
  abandon: () => coordinator.abandon(),
}

expose(api)
