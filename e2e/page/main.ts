/**
 * The browser test page's script: spawns storage workers (the same worker module as the smoke page) and exposes
 * them to the e2e suites as `window.rustyTest` (e2e/page/test-api.ts).
 * Not here: assertions (the suites make them in Node) and any storage logic (the worker).
 */
import { RustyError, internalError } from '../../engine/common/index.js'
import { StorageClient } from '../../demo/storage-client.js'
import type { RequestOf, StorageOp } from '../../demo/protocol.js'
import type { RustyTestApi } from './test-api.js'

const workers = new Map<number, StorageClient>()
let nextWorker = 1

function clientOf(worker: number): StorageClient {
  const client = workers.get(worker)
  if (client === undefined) throw new Error(`no storage worker ${worker} on this page`)
  return client
}

const api: RustyTestApi = {
  spawn() {
    const id = nextWorker++
    workers.set(id, new StorageClient())
    return id
  },
  async call(worker, request) {
    try {
      return { ok: true, result: await clientOf(worker).call(request as RequestOf<StorageOp>) }
    } catch (e) {
      const error = RustyError.is(e) ? e : internalError(`test page: ${e instanceof Error ? e.message : String(e)}`, e)
      return { ok: false, error: error.toJSON() }
    }
  },
  terminate(worker) {
    clientOf(worker).terminate()
    workers.delete(worker)
  },
  ready: true,
}

window.rustyTest = api
