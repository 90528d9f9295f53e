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
import { KvStore, OpfsAdapter, type StorageFile, type WriteBatch } from '../engine/index.js'
import type { BatchOp, RequestMessage, ResponseMessage, ResultOf, StoreInfo, StorageOp, StorageRequest } from './protocol.js'

/** The part of DedicatedWorkerGlobalScope this module uses (the repo's TypeScript lib is DOM, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<RequestMessage>) => void) | null
  postMessage(message: ResponseMessage): void
}

const scope = self as unknown as WorkerScope

const files = new Map<number, StorageFile>()
let nextHandle = 1
/** The worker's store and where it lives (one per worker). */
let store: OpenStore | undefined

function adapterFor(directory: string | undefined, lockTimeoutMs?: number): OpfsAdapter {
  return new OpfsAdapter({ directory, lockTimeoutMs })
}

function fileOf(handle: number): StorageFile {
  const file = files.get(handle)
  if (file === undefined) throw wrongState(`file handle ${handle} is not open in this worker`)
  return file
}

interface OpenStore {
  kv: KvStore
  /** The adapter's kind ('opfs'). */
  storage: string
  directory: string
}

function openStore(): OpenStore {
  if (store === undefined) throw wrongState('no store is open in this storage worker (send kv.open first)')
  return store
}

function storeOf(): KvStore {
  return openStore().kv
}

function toBatch(kv: KvStore, ops: readonly BatchOp[]): WriteBatch {
  const batch = kv.batch()
  for (const op of ops) {
    switch (op.kind) {
      case 'createTree':
        batch.createTree(op.tree)
        break
      case 'dropTree':
        batch.dropTree(op.tree)
        break
      case 'put':
        batch.put(op.tree, op.key, op.value)
        break
      case 'delete':
        batch.delete(op.tree, op.key)
        break
    }
  }
  return batch
}

function countEntries(kv: KvStore, tree: string): number {
  let entries = 0
  for (const batch of kv.scanBatches(tree)) entries += batch.count
  return entries
}

function infoOf(open: OpenStore): StoreInfo {
  const { kv, storage, directory } = open
  const stats = kv.stats()
  return {
    storage,
    name: kv.name,
    directory,
    commitSeq: String(stats.lastCommitSeq),
    trees: kv.treeNames().map((name) => ({ name, entries: countEntries(kv, name) })),
    walBytes: stats.walBytes,
    pool: { ...stats.pool },
  }
}

type Handlers = { [K in StorageOp]: (request: Extract<StorageRequest, { op: K }>) => Promise<ResultOf<K>> | ResultOf<K> }

/** One handler per operation: a new operation in protocol.ts breaks the build until it is handled here. */
const handlers: Handlers = {
  async 'kv.open'({ name, directory, create, pageSize, cachePages, lockTimeoutMs }) {
    if (store !== undefined) throw wrongState(`this storage worker already has "${store.kv.name}" open (send kv.close first)`)
    const adapter = adapterFor(directory, lockTimeoutMs)
    const kv = await KvStore.open({ adapter, name, create, pageSize, cachePages })
    store = { kv, storage: adapter.kind, directory: directory ?? '' }
    return infoOf(store)
  },
  async 'kv.close'() {
    const kv = storeOf()
    store = undefined
    await kv.close()
    return null
  },
  async 'kv.commit'({ ops }) {
    const kv = storeOf()
    const { seq } = await kv.commit(toBatch(kv, ops))
    return { seq: String(seq) }
  },
  'kv.get'({ tree, key }) {
    return storeOf().get(tree, key) ?? null
  },
  'kv.scan'({ tree, lower, upper, reverse, limit }) {
    const out: [Uint8Array, Uint8Array][] = []
    const max = limit ?? Number.POSITIVE_INFINITY
    if (max <= 0) return out
    // scan() yields copies (invariant 3); breaking out of the loop releases its snapshot.
    for (const entry of storeOf().scan(tree, { lower, upper, reverse })) {
      out.push(entry)
      if (out.length >= max) break
    }
    return out
  },
  'kv.check'() {
    const report = storeOf().check()
    return { ...report, trees: report.trees.map((tree) => ({ ...tree })) }
  },
  async 'kv.checkpoint'() {
    await storeOf().checkpoint()
    return null
  },
  'kv.info'() {
    return infoOf(openStore())
  },

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
