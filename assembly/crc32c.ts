/**
 * CRC32C (Castagnoli): reflected polynomial 0x82F63B78, init 0xFFFFFFFF, final xor 0xFFFFFFFF;
 * crc32c("123456789") = 0xE3069283.
 * Owns: the lookup tables and the slicing-by-8 update loop, and the page trailer checksum.
 * Invariants:
 *   (1) `crc32c(seed, ...)` chains: crc32c(crc32c(0, a), b) == crc32c(0, a ++ b) (the seed is a finished CRC).
 *   (2) A page's trailer [pageSize-4, pageSize) = crc32c over the 4-byte LE page number followed by
 *       bytes [0, pageSize-4) of the page (a page written to the wrong place fails verification).
 * Algorithm: slicing-by-8 (Intel's "A Systematic Approach to Building High Performance Software-based
 * CRC Generators", as in zlib/crc32c.c): eight 256-entry tables, eight input bytes per step.
 * We could use a PCLMUL-style folding kernel, but WASM SIMD has no carry-less multiply.
 *
 * Table memory (static data, 8 KiB):
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | k*1024 + i*4 | 4 | T_k[i]: CRC of byte i followed by k zero bytes (k = 0..7) |
 *
 * Not here: other hashes (xxhash64, SHA-256 are not needed yet).
 */

const POLY: u32 = 0x82f63b78
const TABLES: usize = memory.data(8 * 256 * 4, 64)
let tablesReady = false

@inline function table(k: u32, i: u32): u32 {
  return load<u32>(TABLES + (((k << 8) + i) << 2))
}

@inline function setTable(k: u32, i: u32, v: u32): void {
  store<u32>(TABLES + (((k << 8) + i) << 2), v)
}

/** Input byte at p. */
@inline function inputByte(p: usize): u32 {
  return <u32>load<u8>(p)
}

/** Input word (little-endian u32) at p + offset. */
@inline function inputWord(p: usize, offset: usize): u32 {
  return load<u32>(p + offset)
}

/** Fills the tables (idempotent). */
export function crcInit(): void {
  if (tablesReady) return
  for (let i: u32 = 0; i < 256; i++) {
    let c = i
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1
    setTable(0, i, c)
  }
  for (let i: u32 = 0; i < 256; i++) {
    let c = table(0, i)
    for (let k: u32 = 1; k < 8; k++) {
      c = table(0, c & 0xff) ^ (c >>> 8)
      setTable(k, i, c)
    }
  }
  tablesReady = true
}

/** Advances a raw (pre-inverted) CRC state over `len` bytes at `p`. */
export function crcUpdate(state: u32, p: usize, len: usize): u32 {
  let c = state
  while (len > 0 && (p & 7) != 0) {
    c = table(0, (c ^ inputByte(p)) & 0xff) ^ (c >>> 8)
    p++
    len--
  }
  while (len >= 8) {
    const one = inputWord(p, 0) ^ c
    const two = inputWord(p, 4)
    c =
      table(7, one & 0xff) ^
      table(6, (one >>> 8) & 0xff) ^
      table(5, (one >>> 16) & 0xff) ^
      table(4, one >>> 24) ^
      table(3, two & 0xff) ^
      table(2, (two >>> 8) & 0xff) ^
      table(1, (two >>> 16) & 0xff) ^
      table(0, two >>> 24)
    p += 8
    len -= 8
  }
  while (len > 0) {
    c = table(0, (c ^ inputByte(p)) & 0xff) ^ (c >>> 8)
    p++
    len--
  }
  return c
}

/** CRC32C of `len` bytes at `p`, continuing from the finished CRC `seed` (0 for a fresh CRC; invariant 1). */
export function crc32c(seed: u32, p: usize, len: usize): u32 {
  return ~crcUpdate(~seed, p, len)
}

/** The trailer value of page `pageNo` whose image is at `p` (invariant 2). */
export function pageChecksum(pageNo: u32, p: usize, pageSize: u32): u32 {
  let c: u32 = 0xffffffff
  c = table(0, (c ^ pageNo) & 0xff) ^ (c >>> 8)
  c = table(0, (c ^ (pageNo >>> 8)) & 0xff) ^ (c >>> 8)
  c = table(0, (c ^ (pageNo >>> 16)) & 0xff) ^ (c >>> 8)
  c = table(0, (c ^ (pageNo >>> 24)) & 0xff) ^ (c >>> 8)
  return ~crcUpdate(c, p, pageSize - 4)
}
