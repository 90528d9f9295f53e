/**
 * CRC32C through WasmCore.crc32c: known vectors (RFC 3720 B.4 and the classic check value), chaining with a
 * seed, bytes that already live in WASM memory, and inputs larger than the input buffer.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { WasmCore } from '../../engine/wasm/index.js'
import { bytes, freshCore } from './helpers.js'

let core: WasmCore

beforeAll(async () => {
  core = (await freshCore()).core
})

/** Bitwise reference implementation (reflected 0x82F63B78). */
function reference(data: Uint8Array, seed = 0): number {
  let c = ~seed >>> 0
  for (const b of data) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
  }
  return ~c >>> 0
}

describe('crc32c', () => {
  it('matches the check value crc32c("123456789") = 0xE3069283', () => {
    expect(core.crc32c(bytes('123456789'))).toBe(0xe3069283)
  })

  it('matches the RFC 3720 B.4 vectors', () => {
    expect(core.crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(core.crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(core.crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
    expect(core.crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c)
  })

  it('is 0 for no bytes and returns the seed unchanged for no bytes', () => {
    expect(core.crc32c(new Uint8Array(0))).toBe(0)
    expect(core.crc32c(new Uint8Array(0), 0x12345678)).toBe(0x12345678)
  })

  it('chains: crc(a ++ b) = crc(b, seed = crc(a))', () => {
    const a = bytes('hello, ')
    const b = bytes('world')
    expect(core.crc32c(b, core.crc32c(a))).toBe(core.crc32c(bytes('hello, world')))
  })

  it('agrees with a bitwise reference on every length 0..300 and every alignment', () => {
    const data = Uint8Array.from({ length: 320 }, (_, i) => (i * 131 + 7) & 0xff)
    for (let start = 0; start < 8; start++) {
      for (let n = 0; start + n <= 308; n += 1) {
        const part = data.subarray(start, start + n)
        expect(core.crc32c(part)).toBe(reference(part))
      }
    }
  })

  it('hashes bytes that already live in WASM memory without copying them', () => {
    const inside = new Uint8Array(core.memory.buffer, 4096, 100)
    const copy = inside.slice()
    expect(core.crc32c(inside)).toBe(reference(copy))
  })

  it('hashes inputs larger than the input buffer in chunks', () => {
    const big = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 2654435761) >>> 24)
    expect(core.crc32c(big)).toBe(reference(big))
  })
})
