/**
 * StorageClient: the page side of the storage worker (demo/storage-worker.ts).
 * Owns: spawning the module worker, numbering requests, matching responses, rebuilding errors.
 * Invariants:
 *   (1) Each call resolves or rejects exactly once, with the response carrying its id (protocol (1)).
 *   (2) A failure rejects with a RustyError rebuilt from the worker's RustyErrorData (protocol (2)).
 *   (3) When the worker dies (script error, terminate()), every pending call rejects; none hangs.
 * Not here: what the operations do (the worker), presentation (demo/main.ts).
 */
import { RustyError, internalError, wrongState } from '../engine/common/index.js'
import type { RequestMessage, RequestOf, ResponseMessage, ResultOf, StorageOp, StorageRequest } from './protocol.js'

interface Pending {
  resolve(value: unknown): void
  reject(error: unknown): void
}

/**
 * A handle on one storage worker.
 *
 * @example
 * const client = new StorageClient()
 * await client.call({ op: 'kv.open', name: 'smoke.rdb', create: true })
 * await client.call({ op: 'kv.commit', ops: [{ kind: 'createTree', tree: 'notes' }] })
 */
export class StorageClient {
  readonly #worker: Worker
  readonly #pending = new Map<number, Pending>()
  #nextId = 1
  #failure: RustyError | undefined

  constructor() {
    // Vite bundles (and in dev serves) the worker from this pattern; `type: 'module'` keeps ES imports.
    this.#worker = new Worker(new URL('./storage-worker.ts', import.meta.url), { type: 'module', name: 'rustydb-storage' })
    this.#worker.onmessage = (event: MessageEvent<ResponseMessage>) => this.#settle(event.data)
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault()
      this.#fail(internalError(`storage worker failed: ${event.message || 'the worker script did not load'}`))
    }
    this.#worker.onmessageerror = () => this.#fail(internalError('storage worker sent a message that could not be read'))
  }

  /** Sends one request; resolves with its result, rejects with a RustyError. */
  call<K extends StorageOp>(request: RequestOf<K>): Promise<ResultOf<K>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    const id = this.#nextId++
    return new Promise<ResultOf<K>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      const message: RequestMessage = { id, request: request as StorageRequest }
      this.#worker.postMessage(message)
    })
  }

  /** Stops the worker at once (its OPFS handles are released by the browser); pending calls reject. */
  terminate(): void {
    this.#worker.terminate()
    this.#fail(wrongState('storage worker terminated'))
  }

  #settle(message: ResponseMessage): void {
    const pending = this.#pending.get(message.id)
    if (pending === undefined) return
    this.#pending.delete(message.id)
    if (message.ok) pending.resolve(message.result)
    else pending.reject(RustyError.fromJSON(message.error))
  }

  #fail(error: RustyError): void {
    this.#failure ??= error
    for (const pending of this.#pending.values()) pending.reject(error)
    this.#pending.clear()
  }
}
