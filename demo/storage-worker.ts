/**
 * The storage worker: a dedicated module worker that owns one KvStore on OPFS and raw OpfsAdapter files.
 * Used by the storage smoke page (demo/index.html) and the browser tests (e2e/page/), through
 * demo/storage-client.ts.
 * Owns: the worker side of demo/protocol.ts; the open store and the open raw files of this worker.
 * Invariants:
 *   (1) Requests run one at a time in arrival order (a queue), so a commit and a later get never interleave.
 *   (2) Every request gets exactly one response (protocol (1)); a failure answers with RustyErrorData and
 *       leaves the worker serving (errors never kill the worker).
 *   (3) Results never alias WASM memory: keys and values are copied before they are posted.
 * Not here: SQL (the future web/ worker), multi-tab coordination (a second tab gets the lock error).
 */
import { RustyError, internalError, invalidParameter, wrongState, type RustyErrorData } from '../engine/common/index.js'
import { OpfsAdapter } from '../engine/storage/adapters/opfs-adapter.js'
import type { StorageFile } from '../engine/storage/index.js'
import type { RequestMessage, ResponseMessage, ResultOf, StorageOp, StorageRequest } from './protocol.js'

/** The part of DedicatedWorkerGlobalScope this module uses (the repo's TypeScript lib is DOM, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<RequestMessage>) => void) | null
  postMessage(message: ResponseMessage): void
}

const scope = self as unknown as WorkerScope

const files = new Map<number, StorageFile>()
let nextHandle = 1

function adapterFor(directory: string | undefined, lockTimeoutMs?: number): OpfsAdapter {
  return new OpfsAdapter({ directory, lockTimeoutMs })
}

function fileOf(handle: number): StorageFile {
  const file = files.get(handle)
  if (file === undefined) throw wrongState(`file handle ${handle} is not open in this worker`)
  return file
}

function notYet(): never {
  throw internalError('the storage worker was built without KvStore')
}

type Handlers = { [K in StorageOp]: (request: Extract<StorageRequest, { op: K }>) => Promise<ResultOf<K>> | ResultOf<K> }

/** One handler per operation: a new operation in protocol.ts breaks the build until it is handled here. */
const handlers: Handlers = {
  'kv.open': notYet,
  'kv.close': notYet,
  'kv.commit': notYet,
  'kv.get': notYet,
  'kv.scan': notYet,
  'kv.check': notYet,
  'kv.checkpoint': notYet,
  'kv.info': notYet,

  async 'file.open'({ name, directory, create, lockTimeoutMs }) {
    const file = await adapterFor(directory, lockTimeoutMs).open(name, { create })
    const handle = nextHandle++
    files.set(handle, file)
    return { handle }
  },
  'file.read'({ handle, offset, length }) {
    const dst = new Uint8Array(length)
    const n = fileOf(handle).read(offset, dst)
    return dst.slice(0, n)
  },
  'file.write'({ handle, offset, data }) {
    fileOf(handle).write(offset, data)
    return null
  },
  'file.size'({ handle }) {
    return fileOf(handle).size()
  },
  'file.truncate'({ handle, size }) {
    fileOf(handle).truncate(size)
    return null
  },
  async 'file.sync'({ handle }) {
    await fileOf(handle).sync()
    return null
  },
  async 'file.close'({ handle }) {
    // The file stays in the table: later calls reach the adapter, which refuses them as closed.
    await fileOf(handle).close()
    return null
  },
  'file.exists'({ name, directory }) {
    return adapterFor(directory).exists(name)
  },
  async 'file.remove'({ name, directory }) {
    await adapterFor(directory).remove(name)
    return null
  },
  async 'file.export'({ name, directory }) {
    const file = await adapterFor(directory).open(name, { create: false })
    try {
      const bytes = new Uint8Array(file.size())
      const n = file.read(0, bytes)
      if (n !== bytes.length) throw internalError(`read ${n} of ${bytes.length} bytes of "${name}"`)
      return bytes
    } finally {
      await file.close()
    }
  },
  async 'file.import'({ name, directory, data }) {
    const file = await adapterFor(directory).open(name, { create: true })
    try {
      file.truncate(0)
      file.write(0, data)
      await file.sync()
    } finally {
      await file.close()
    }
    return null
  },
}

function toErrorData(e: unknown): RustyErrorData {
  if (RustyError.is(e)) return e.toJSON()
  const message = e instanceof Error ? e.message : String(e)
  return internalError(`storage worker: ${message}`, e).toJSON()
}

async function handle(request: StorageRequest): Promise<ResultOf<StorageOp>> {
  const handler = handlers[request.op] as ((r: StorageRequest) => Promise<ResultOf<StorageOp>> | ResultOf<StorageOp>) | undefined
  if (handler === undefined) throw invalidParameter(`unknown storage worker operation "${String(request.op)}"`)
  return handler(request)
}

let queue: Promise<void> = Promise.resolve()

scope.onmessage = (event) => {
  const { id, request } = event.data
  // Invariant (1): chain every request behind the previous one.
  queue = queue.then(async () => {
    let response: ResponseMessage
    try {
      response = { id, ok: true, result: await handle(request) }
    } catch (e) {
      response = { id, ok: false, error: toErrorData(e) }
    }
    scope.postMessage(response)
  })
}
