/**
 * Turning core status codes into RustyError.
 * Owns: the message of every failure the core can report.
 * Invariants:
 *   (1) -1 (host I/O): the host's own RustyError is rethrown as is; any other exception becomes the cause of
 *       a 58030 naming the page and the file.
 *   (2) -2 (corrupt page): XX001 naming the page and the file; except a file that is not a RustyDB database
 *       (XX001 "file "x" is not a RustyDB database") and a newer format version (0A000).
 *   (3) -4: 54000 naming the limit. -3 after the buffer could not grow: 53200. Everything else: XX000.
 * Not here: retrying after -3 (wasm-core.ts grows the buffer and calls again).
 */
import { dataCorrupted, internalError, ioError, programLimitExceeded, RustyError, SqlState } from '../common/index.js'
import { Detail, FORMAT_VERSION, Status } from './abi.js'

/** What the wrapper knows when it maps a status. */
export interface FailureContext {
  fileName: string
  page: number
  detail: number
  arg: number
  needed: number
  /** Host exception kept by the import callback (for -1). */
  hostError: unknown
  /** 'read' or 'spill': which callback failed (for -1). */
  hostOperation: string
  /** The ASCII message the core wrote for -8. */
  message: string
  /** Frames in the pool (for -5). */
  frames: number
  /** Key length limit (for -4). */
  maxKey: number
}

function corruption(ctx: FailureContext): RustyError {
  const { fileName, page, arg } = ctx
  switch (ctx.detail) {
    case Detail.NOT_DATABASE:
      return new RustyError(SqlState.DATA_CORRUPTED, `file "${fileName}" is not a RustyDB database`, {
        file: fileName,
        page: 0,
      })
    case Detail.VERSION:
      return new RustyError(
        SqlState.FEATURE_NOT_SUPPORTED,
        `file "${fileName}" uses format version ${arg}; this build reads up to ${FORMAT_VERSION}`,
        { file: fileName },
      )
    case Detail.CHECKSUM:
      return dataCorrupted(fileName, page, 'checksum mismatch')
    case Detail.PAGE_TYPE:
      return dataCorrupted(fileName, page, `unexpected page type ${arg} where it was reached`)
    case Detail.LAYOUT:
      return dataCorrupted(fileName, page, 'slot directory or cell area out of range')
    case Detail.PAGE_SIZE:
      return dataCorrupted(fileName, page, `header records page size ${arg}, which differs from the page size in use`)
    case Detail.OVERFLOW_CHAIN:
      return dataCorrupted(fileName, page, 'overflow chain length does not match its value')
    case Detail.FREELIST:
      return dataCorrupted(fileName, page, 'freelist is inconsistent')
    case Detail.LEVEL:
      return dataCorrupted(fileName, page, `B+tree level ${arg} does not fit its position`)
    case Detail.PAGE_RANGE:
      return dataCorrupted(fileName, page, 'page number out of range')
    default:
      return dataCorrupted(fileName, page, `corruption detail ${ctx.detail}`)
  }
}

/** The RustyError for a negative core status (invariants 1-3). */
export function statusError(status: number, ctx: FailureContext): RustyError {
  switch (status) {
    case Status.IO:
      if (ctx.hostError instanceof RustyError) return ctx.hostError
      return ioError(
        ctx.fileName,
        `${ctx.hostOperation} page ${ctx.page} of`,
        ctx.hostError === undefined ? 'the host reported a failure' : ctx.hostError,
      )
    case Status.CORRUPT:
      return corruption(ctx)
    case Status.OUTPUT:
      return new RustyError(
        SqlState.OUT_OF_MEMORY,
        `out of memory: the WASM core could not grow a buffer to ${ctx.needed} bytes`,
      )
    case Status.KEY_TOO_LARGE:
      return programLimitExceeded(`key exceeds the limit of ${ctx.maxKey} bytes for this page size`)
    case Status.ALL_PINNED:
      return internalError(`buffer pool exhausted: all ${ctx.frames} frames are pinned`)
    case Status.BULK_NOT_EMPTY:
      return internalError('bulk load into a non-empty tree')
    case Status.BULK_ORDER:
      return internalError(`bulk load keys are not strictly ascending (entry ${ctx.arg} of the batch)`)
    case Status.INVARIANT:
      return internalError(ctx.message === '' ? 'B+tree invariant violated' : ctx.message)
    case Status.BAD_ARGUMENT:
      return internalError('bad argument passed to the WASM core')
    default:
      return internalError(`unknown WASM core status ${status}`)
  }
}
