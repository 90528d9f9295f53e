/**
 * CRC32C arithmetic in JS: short inputs, and combining CRCs without reading the bytes again.
 * Owns: a byte-at-a-time CRC32C for a few bytes (frame headers, page numbers), the "append n zero bytes"
 * operator, and the CRC of a whole sealed page image derived from its trailer.
 * Invariants:
 *   (1) Same CRC as the core's (assembly/crc32c.ts): reflected polynomial 0x82F63B78, init and final xor
 *       0xFFFFFFFF; `crc32cSmall(b, crc32cSmall(a)) === crc32cSmall(a ++ b)`.
 *   (2) Combining: crc(A ++ B) = Z_|B|(crc(A)) ^ crc(B), where Z_n is the linear map "feed n zero bytes to a
 *       raw CRC register" (zlib's crc32_combine; the init and final xors cancel out because Z_n is linear).
 *   (3) A sealed page's trailer is crc(LE32(pageNo) ++ body), body = bytes [0, pageSize - 4) (assembly
 *       crc32c.ts (2)). So crc(body) = trailer ^ Z_{pageSize-4}(crc(LE32(pageNo))), and the CRC of the whole
 *       image is crc(body) continued over the 4 trailer bytes: no pass over the page.
 * Paths not taken: computing Z_n by square-and-multiply per call (zlib) costs ~32 multiplications of 32x32
 *   bit matrices; the WAL combines with the same two lengths all the time, so each operator is built once
 *   (32 x n byte steps) and applied with four 256-entry tables.
 * Not here: CRCs over whole pages (the core, in WASM), the WAL's chaining (wal.ts).
 */

const POLY = 0x82f63b78

/** T[i]: the raw register after feeding byte i to a zero register. */
const TABLE = (() => {
  const t = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1
    t[i] = c >>> 0
  }
  return t
})()

/** Advances a raw (pre-inverted) register over bytes [from, to) of `bytes`. */
function update(state: number, bytes: Uint8Array, from: number, to: number): number {
  let c = state
  for (let i = from; i < to; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return c
}

/** CRC32C of bytes [from, to) of `bytes` (default: all), continuing the finished CRC `seed` (invariant 1). For short inputs. */
export function crc32cSmall(bytes: Uint8Array, seed = 0, from = 0, to = bytes.length): number {
  return ~update(~seed, bytes, from, to) >>> 0
}

/** The operator Z_n of invariant (2), as four byte tables: Z(c) = t0[c & 255] ^ t1[c >> 8 & 255] ^ ... */
class ZerosOperator {
  readonly #t: Uint32Array

  constructor(n: number) {
    // Z is linear: its value on each of the 32 basis registers determines it.
    const basis = new Uint32Array(32)
    for (let bit = 0; bit < 32; bit++) {
      let c = (1 << bit) >>> 0
      for (let i = 0; i < n; i++) c = TABLE[c & 0xff] ^ (c >>> 8)
      basis[bit] = c >>> 0
    }
    const t = new Uint32Array(1024)
    for (let j = 0; j < 4; j++) {
      for (let b = 0; b < 256; b++) {
        let v = 0
        for (let k = 0; k < 8; k++) if (b & (1 << k)) v ^= basis[j * 8 + k]
        t[j * 256 + b] = v >>> 0
      }
    }
    this.#t = t
  }

  apply(c: number): number {
    const t = this.#t
    return (t[c & 0xff] ^ t[256 + ((c >>> 8) & 0xff)] ^ t[512 + ((c >>> 16) & 0xff)] ^ t[768 + (c >>> 24)]) >>> 0
  }
}

const operators = new Map<number, ZerosOperator>()

function zeros(n: number): ZerosOperator {
  let op = operators.get(n)
  if (op === undefined) {
    op = new ZerosOperator(n)
    operators.set(n, op)
  }
  return op
}

/** crc(A ++ B) from crc(A), crc(B) and |B| (invariant 2). */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  return (zeros(lengthB).apply(crcA >>> 0) ^ crcB) >>> 0
}

const pageNoBytes = new Uint8Array(4)

/**
 * CRC32C of a whole sealed page image (`image`: pageSize bytes, ending with its trailer) of page `pageNo`,
 * from the trailer alone (invariant 3): four table steps instead of a pass over the page. Only valid for an
 * image the core sealed (its trailer matches its bytes), as every image the pager hands the WAL is.
 */
export function sealedPageCrc(pageNo: number, image: Uint8Array): number {
  const size = image.length
  const trailer = (image[size - 4] | (image[size - 3] << 8) | (image[size - 2] << 16) | (image[size - 1] << 24)) >>> 0
  pageNoBytes[0] = pageNo & 0xff
  pageNoBytes[1] = (pageNo >>> 8) & 0xff
  pageNoBytes[2] = (pageNo >>> 16) & 0xff
  pageNoBytes[3] = pageNo >>> 24
  const body = (trailer ^ zeros(size - 4).apply(crc32cSmall(pageNoBytes))) >>> 0
  return crc32cSmall(image, body, size - 4, size)
}
