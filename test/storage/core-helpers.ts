/**
 * Test helpers that need the WASM core: its CRC32C (the project's only CRC implementation) for WAL tests
 * that run without a pager, and a StorageFile wrapper that counts calls.
 * Invariants:
 *   (1) One core instance serves every CRC call of a test file; a page host is never needed for a CRC.
 */
import { internalError } from '../../engine/common/index.js'
import type { StorageFile } from '../../engine/storage/storage-adapter.js'
import type { Crc32c } from '../../engine/storage/wal.js'
import { WasmCore } from '../../engine/wasm/index.js'

let shared: Promise<WasmCore> | undefined

/** The CRC32C of a WASM core made for CRCs only (its pool never reads a page). */
export async function coreCrc32c(): Promise<Crc32c> {
  shared ??= WasmCore.create({
    host: {
      readPage: (pageNo) => {
        throw internalError(`the CRC-only core read page ${pageNo}`)
      },
      spillPage: (pageNo) => {
        throw internalError(`the CRC-only core spilled page ${pageNo}`)
      },
    },
    pageSize: 1024,
    cachePages: 64,
    fileName: 'crc-only',
  })
  const core = await shared
  return (bytes, seed) => core.crc32c(bytes, seed)
}

/** A StorageFile that counts writes and syncs. */
export class CountingFile implements StorageFile {
  writes = 0
  syncs = 0
  readonly name: string
  readonly inner: StorageFile

  constructor(inner: StorageFile) {
    this.inner = inner
    this.name = inner.name
  }

  read(offset: number, dst: Uint8Array): number {
    return this.inner.read(offset, dst)
  }

  write(offset: number, src: Uint8Array): void {
    this.writes++
    this.inner.write(offset, src)
  }

  size(): number {
    return this.inner.size()
  }

  truncate(size: number): void {
    this.inner.truncate(size)
  }

  sync(): void | Promise<void> {
    this.syncs++
    return this.inner.sync()
  }

  close(): void | Promise<void> {
    return this.inner.close()
  }
}
