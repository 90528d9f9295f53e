/**
 * CRC32C (Castagnoli): reflected polynomial 0x82F63B78, init 0xFFFFFFFF, final xor 0xFFFFFFFF;
 * crc32c("123456789") = 0xE3069283.
 * Owns: the lookup tables and the slicing-by-8 update loop, and the page trailer checksum.
 * Invariants:
 *   (1) `crc32c(seed, ...)` chains: crc32c(crc32c(0, a), b) == crc32c(0, a ++ b) (the seed is a finished CRC).
 *   (2) A page's trailer [pageSize-4, pageSize) = crc32c over the 4-byte LE page number followed by
 *       bytes [0, pageSize-4) of the page (a page written to the wrong place fails verification).
 * Algorithm: slicing-by-16 (Intel's slicing-by-8, "A Systematic Approach to Building High Performance
 * Software-based CRC Generators", as in zlib/crc32c.c, extended to sixteen tables): sixteen 256-entry
 * tables, sixteen input bytes per step. The step's dependency chain (register -> table loads -> xor tree
 * -> register) is about as long as slicing-by-8's, so twice the bytes per step is about twice the speed on
 * a page; the table loads of one step are independent of each other. The tail uses 8-byte steps, then bytes.
 * A page checksum (pageChecksum, every page write and read) runs two slicing-by-8 streams over the two
 * halves of the page body in one loop and joins them with the precomputed "feed n zero bytes" operator
 * (crcPageInit): the streams' table loads overlap, about 1.7x the single-stream speed on a 4 KiB page.
 * We could use a PCLMUL-style folding kernel, but WASM SIMD has no carry-less multiply.
 *
 * Table memory (static data, 16 KiB, plus 4 KiB for the page split's operator, ZEROS):
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | k*1024 + i*4 | 4 | T_k[i]: CRC of byte i followed by k zero bytes (k = 0..15) |
 *
 * Not here: other hashes (xxhash64, SHA-256 are not needed yet).
 */

const POLY: u32 = 0x82f63b78
const TABLE_COUNT: u32 = 16
const TABLES: usize = memory.data(TABLE_COUNT * 256 * 4, 64)
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
    for (let k: u32 = 1; k < TABLE_COUNT; k++) {
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
  while (len >= 16) {
    const one = inputWord(p, 0) ^ c
    const two = inputWord(p, 4)
    const three = inputWord(p, 8)
    const four = inputWord(p, 12)
    c =
      table(15, one & 0xff) ^
      table(14, (one >>> 8) & 0xff) ^
      table(13, (one >>> 16) & 0xff) ^
      table(12, one >>> 24) ^
      table(11, two & 0xff) ^
      table(10, (two >>> 8) & 0xff) ^
      table(9, (two >>> 16) & 0xff) ^
      table(8, two >>> 24) ^
      table(7, three & 0xff) ^
      table(6, (three >>> 8) & 0xff) ^
      table(5, (three >>> 16) & 0xff) ^
      table(4, three >>> 24) ^
      table(3, four & 0xff) ^
      table(2, (four >>> 8) & 0xff) ^
      table(1, (four >>> 16) & 0xff) ^
      table(0, four >>> 24)
    p += 16
    len -= 16
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
  const len = <usize>pageSize - 4
  if (pageSize != splitPageSize) return ~crcUpdate(c, p, len)
  // Two streams over the two halves of the body, interleaved: their steps are independent, so each one's
  // table loads overlap the other's dependency chain. raw(A ++ B) = Z_|B|(raw(A)) ^ raw0(B), where raw0
  // starts from a zero register (linearity), and Z_|B| is the precomputed "feed |B| zero bytes" operator.
  let a = c
  let b: u32 = 0
  let pa = p
  let pb = p + splitFirst
  for (let n = splitFirst >> 3; n > 0; n--) {
    const a1 = inputWord(pa, 0) ^ a
    const a2 = inputWord(pa, 4)
    const b1 = inputWord(pb, 0) ^ b
    const b2 = inputWord(pb, 4)
    a =
      table(7, a1 & 0xff) ^
      table(6, (a1 >>> 8) & 0xff) ^
      table(5, (a1 >>> 16) & 0xff) ^
      table(4, a1 >>> 24) ^
      table(3, a2 & 0xff) ^
      table(2, (a2 >>> 8) & 0xff) ^
      table(1, (a2 >>> 16) & 0xff) ^
      table(0, a2 >>> 24)
    b =
      table(7, b1 & 0xff) ^
      table(6, (b1 >>> 8) & 0xff) ^
      table(5, (b1 >>> 16) & 0xff) ^
      table(4, b1 >>> 24) ^
      table(3, b2 & 0xff) ^
      table(2, (b2 >>> 8) & 0xff) ^
      table(1, (b2 >>> 16) & 0xff) ^
      table(0, b2 >>> 24)
    pa += 8
    pb += 8
  }
  b = crcUpdate(b, pb, len - (splitFirst << 1))
  return ~(zeros(a) ^ b)
}

/**
 * The split of a page body into two streams (pageChecksum): the first `splitFirst` bytes (a multiple of 8,
 * about half), and the rest. `ZEROS` holds Z_n for n = the rest's length, as four byte tables (the register's
 * image under Z is linear in its bits).
 */
let splitPageSize: u32 = 0
let splitFirst: usize = 0
const ZEROS: usize = memory.data(4 * 256 * 4, 64)

@inline function zeros(c: u32): u32 {
  return (
    load<u32>(ZEROS + ((c & 0xff) << 2)) ^
    load<u32>(ZEROS + 1024 + (((c >>> 8) & 0xff) << 2)) ^
    load<u32>(ZEROS + 2048 + (((c >>> 16) & 0xff) << 2)) ^
    load<u32>(ZEROS + 3072 + ((c >>> 24) << 2))
  )
}

/** Prepares pageChecksum's two-stream split for pages of `pageSize` bytes (after crcInit). */
export function crcPageInit(pageSize: u32): void {
  const len = <usize>pageSize - 4
  const first = (len >> 1) & ~(<usize>7)
  const rest = len - first
  // Z_rest on each basis register, then the byte tables by linearity.
  const basis = memory.data(32 * 4)
  for (let bit: u32 = 0; bit < 32; bit++) {
    let c: u32 = (<u32>1) << bit
    for (let i: usize = 0; i < rest; i++) c = table(0, c & 0xff) ^ (c >>> 8)
    store<u32>(basis + (<usize>bit << 2), c)
  }
  for (let j: u32 = 0; j < 4; j++) {
    for (let v: u32 = 0; v < 256; v++) {
      let z: u32 = 0
      for (let k: u32 = 0; k < 8; k++) if (v & ((<u32>1) << k)) z ^= load<u32>(basis + ((<usize>(j * 8 + k)) << 2))
      store<u32>(ZEROS + (<usize>(j * 256 + v) << 2), z)
    }
  }
  splitFirst = first
  splitPageSize = pageSize
}
