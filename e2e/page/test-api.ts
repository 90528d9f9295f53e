/**
 * The test page's surface, as the e2e suites see it through page.evaluate.
 * Owns: the shape of `window.rustyTest` (shared by e2e/page/main.ts and e2e/support/).
 * Invariants:
 *   (1) `ready` is set last, once the page can spawn workers; the harness waits for it after every load.
 *   (2) Worker ids are never reused within a page load.
 */
import type { RustyErrorData } from '../../engine/common/index.js'
import type { ResultOf, StorageOp, StorageRequest } from '../../demo/protocol.js'

/** A call's outcome as plain data: a rejected page.evaluate would lose the error's SQLSTATE and fields. */
export type Outcome<T> = { ok: true; result: T } | { ok: false; error: RustyErrorData }

/** What e2e/page/main.ts installs on `window`. */
export interface RustyTestApi {
  /** Starts a fresh storage worker; returns its id. */
  spawn(): number
  /** Sends one request to a worker; the outcome crosses back through Playwright's serializer. */
  call(worker: number, request: StorageRequest): Promise<Outcome<ResultOf<StorageOp>>>
  /** Terminates a worker without closing anything in it (like a crashed tab). */
  terminate(worker: number): void
  readonly ready: true
}

declare global {
  interface Window {
    rustyTest: RustyTestApi
  }
}
