/**
 * Status codes of the WASM core ABI, and the side channel that explains a failure.
 * Owns: the numeric codes every export returns, the "last error" registers (page, detail, argument,
 * needed bytes) that engine/wasm reads after a negative status.
 * Invariants:
 *   (1) No export throws across the boundary: every failure is a negative status from this file.
 *   (2) A function that returns a pointer or a page number returns 0 on failure and has set
 *       `lastStatus` (read it with `failure()`); page 0 is never a valid result of such a function.
 *   (3) The registers describe the most recent failure only; they are reset at the start of each export.
 * Not here: the mapping to RustyError (engine/wasm/errors.ts).
 */

/** Success (or a count >= 0). */
export const OK: i32 = 0
/** The host's read_page or spill_page failed; the host kept the exception. */
export const E_IO: i32 = -1
/** A page failed verification; page in `last_error_page()`, reason in `last_error_detail()`. */
export const E_CORRUPT: i32 = -2
/** The output buffer is too small; `needed_bytes()` tells how large it must be. */
export const E_OUTPUT: i32 = -3
/** A key is longer than (pageSize - 64) / 4 bytes. */
export const E_KEY_TOO_LARGE: i32 = -4
/** Every frame of the pool is pinned (or the pin stack is full). */
export const E_ALL_PINNED: i32 = -5
/** Bulk load into a tree that is not empty. */
export const E_BULK_NOT_EMPTY: i32 = -6
/** Bulk load keys are not strictly ascending (entry index in `last_error_arg()`). */
export const E_BULK_ORDER: i32 = -7
/** A structural invariant does not hold (bt_check, or a rebalance that cannot proceed); ASCII message in the output buffer. */
export const E_INVARIANT: i32 = -8
/** A bad argument (page size, root 0, value too large, export called in the wrong state). */
export const E_BAD_ARGUMENT: i32 = -9

/** Corruption detail codes (`last_error_detail()` after E_CORRUPT). */
export const D_CHECKSUM: i32 = 1
/** The page's type byte is not the one expected where it was reached (`last_error_arg()` = type found). */
export const D_PAGE_TYPE: i32 = 2
/** A count, offset or length inside the page is out of range. */
export const D_LAYOUT: i32 = 3
/** Page 0 does not start with the RustyDB magic. */
export const D_NOT_DATABASE: i32 = 4
/** Page 0 has a newer format version (`last_error_arg()` = version). */
export const D_VERSION: i32 = 5
/** Page 0 records a different page size (`last_error_arg()` = recorded size). */
export const D_PAGE_SIZE: i32 = 6
/** An overflow chain is shorter or longer than its value, or a page of it has a wrong byte count. */
export const D_OVERFLOW_CHAIN: i32 = 7
/** The freelist is inconsistent (a trunk count over capacity, a page number out of range). */
export const D_FREELIST: i32 = 8
/** A B+tree page has the wrong level for its depth (`last_error_arg()` = level found). */
export const D_LEVEL: i32 = 9
/** A page number out of range (>= page count) was reached. */
export const D_PAGE_RANGE: i32 = 10

let errorPage: u32 = 0
let errorDetail: i32 = 0
let errorArg: u32 = 0
let neededBytes: u32 = 0
let lastStatus: i32 = 0

/** Clears the registers (start of every export). */
export function resetError(): void {
  errorPage = 0
  errorDetail = 0
  errorArg = 0
  neededBytes = 0
  lastStatus = 0
}

/** Records a status for a function that signals failure by returning 0 (invariant 2) and returns it. */
export function fail(status: i32): i32 {
  lastStatus = status
  return status
}

/** The status recorded by the last `fail` (invariant 2). */
export function failure(): i32 {
  return lastStatus < 0 ? lastStatus : E_INVARIANT
}

/** Records a corrupt page and returns E_CORRUPT. */
export function corrupt(page: u32, detail: i32, arg: u32 = 0): i32 {
  errorPage = page
  errorDetail = detail
  errorArg = arg
  return fail(E_CORRUPT)
}

/** Records a failed host call on `page` and returns E_IO. */
export function hostFailed(page: u32): i32 {
  errorPage = page
  return fail(E_IO)
}

/** Records how many output bytes are needed and returns E_OUTPUT. */
export function needOutput(bytes: u32): i32 {
  neededBytes = bytes
  return fail(E_OUTPUT)
}

/** Records an argument for the message of the current failure (entry index, version). */
export function setErrorArg(arg: u32): void {
  errorArg = arg
}

/** Page of the last failure. */
export function lastErrorPage(): u32 {
  return errorPage
}

/** Detail code of the last E_CORRUPT. */
export function lastErrorDetail(): i32 {
  return errorDetail
}

/** Extra argument of the last failure. */
export function lastErrorArg(): u32 {
  return errorArg
}

/** Bytes the output buffer needs after E_OUTPUT. */
export function lastNeededBytes(): u32 {
  return neededBytes
}
