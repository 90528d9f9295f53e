import { describe, expect, it } from 'vitest'
import { crc32cCombine, crc32cSmall, sealedPageCrc } from '../../engine/storage/crc-combine.js'
import { coreCrc32c } from './core-helpers.js'

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed >>> 0
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

describe('crc-combine', () => {
  it('computes the same CRC32C as the core, including the check value', async () => {
    const crc = await coreCrc32c()
    expect(crc32cSmall(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
    for (const n of [0, 1, 7, 20, 33]) {
      const b = bytes(n, n)
      expect(crc32cSmall(b)).toBe(crc(b))
      expect(crc32cSmall(b, 0x12345678)).toBe(crc(b, 0x12345678))
      expect(crc32cSmall(b, 0, 1, Math.max(1, n))).toBe(crc(b.subarray(1, Math.max(1, n))))
    }
  })

  it('combines crc(A) and crc(B) into crc(A ++ B) for any lengths', async () => {
    const crc = await coreCrc32c()
    for (const [na, nb] of [
      [0, 0],
      [1, 0],
      [0, 5],
      [20, 4096],
      [13, 1020],
      [100, 65536],
    ]) {
      const a = bytes(na, na + 1)
      const b = bytes(nb, nb + 7)
      const ab = new Uint8Array(na + nb)
      ab.set(a)
      ab.set(b, na)
      expect(crc32cCombine(crc(a), crc(b), nb)).toBe(crc(ab))
      // Chaining a seed through the combination, as the WAL's frames do.
      expect(crc32cCombine(crc(a, 0xdeadbeef), crc(b), nb)).toBe(crc(b, crc(a, 0xdeadbeef)))
    }
  })

  it('derives the CRC of a sealed page image from its trailer (crc32c.ts (2))', async () => {
    const crc = await coreCrc32c()
    for (const [pageNo, size] of [
      [0, 1024],
      [7, 4096],
      [0x01020304, 4096],
      [0xfffffffe, 65536],
    ]) {
      const image = bytes(size, pageNo)
      const le = Uint8Array.of(pageNo & 0xff, (pageNo >>> 8) & 0xff, (pageNo >>> 16) & 0xff, pageNo >>> 24)
      const trailer = crc(image.subarray(0, size - 4), crc(le))
      new DataView(image.buffer).setUint32(size - 4, trailer, true)
      expect(sealedPageCrc(pageNo, image)).toBe(crc(image))
    }
  })
})
