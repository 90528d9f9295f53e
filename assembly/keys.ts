/**
 * Key comparison and small copies: the innermost loops of every search and scan.
 * Owns: the byte order of keys.
 * Invariants:
 *   (1) Keys compare as unsigned bytes (memcmp); when one key is a prefix of the other, the shorter sorts first.
 *   (2) Reads never go outside [a, a+alen) and [b, b+blen) (keys can sit at the very end of memory).
 * Eight bytes are compared per step: two little-endian u64 loads, and on the first difference their
 * byte-swapped (big-endian) values order the keys. A v128 compare would halve the steps for long keys,
 * but the common key is short (8..32 bytes) and the scalar loop has no mask/ctz tail cost.
 * Searches compare an 8-byte big-endian prefix first (`keyPrefix`, `cellPrefix`) and call `compareKeys`
 * only when the prefixes tie, so a probe usually costs one load and one compare.
 * Not here: order-preserving encoding of SQL values (engine/storage/key-codec.ts).
 */

/** Eight key bytes at p as a little-endian u64. */
@inline function word64(p: usize): u64 {
  return load<u64>(p)
}

/** Four key bytes at p as a little-endian u32. */
@inline function word32(p: usize): u32 {
  return load<u32>(p)
}

/** One key byte at p. */
@inline function byteAt(p: usize): u32 {
  return <u32>load<u8>(p)
}

/** Negative, zero or positive as key a sorts before, equal to or after key b (invariant 1). */
export function compareKeys(a: usize, alen: u32, b: usize, blen: u32): i32 {
  const n = alen < blen ? alen : blen
  let i: u32 = 0
  while (i + 8 <= n) {
    const x = word64(a + i)
    const y = word64(b + i)
    if (x != y) return bswap<u64>(x) < bswap<u64>(y) ? -1 : 1
    i += 8
  }
  if (i < n) {
    if (n >= 8) {
      const x = word64(a + n - 8)
      const y = word64(b + n - 8)
      if (x != y) return bswap<u64>(x) < bswap<u64>(y) ? -1 : 1
    } else {
      if (n >= 4) {
        const x = word32(a)
        const y = word32(b)
        if (x != y) return bswap<u32>(x) < bswap<u32>(y) ? -1 : 1
        const u = word32(a + n - 4)
        const v = word32(b + n - 4)
        if (u != v) return bswap<u32>(u) < bswap<u32>(v) ? -1 : 1
      } else {
        do {
          const x = <i32>byteAt(a + i)
          const y = <i32>byteAt(b + i)
          if (x != y) return x - y
        } while (++i < n)
      }
    }
  }
  return <i32>alen - <i32>blen
}

/** Mask keeping the first `length` bytes of a big-endian 8-byte prefix (all of it for length >= 8). */
@inline function prefixMask(length: u32): u64 {
  return length >= 8 ? <u64>-1 : ~(<u64>-1 >> (<u64>length << 3))
}

/**
 * Big-endian prefix of a key that may sit at the very end of memory (the search key): bytes past the key
 * are zero (invariant 2).
 */
export function keyPrefix(p: usize, length: u32): u64 {
  if (length >= 8) return bswap<u64>(word64(p))
  let v: u64 = 0
  for (let i: u32 = 0; i < 8; i++) {
    v <<= 8
    if (i < length) v |= <u64>byteAt(p + i)
  }
  return v
}

/**
 * Big-endian prefix of a key stored in a page frame or scratch copy: the 8-byte load may read past the key
 * (into the rest of the page, never past memory), the mask zeroes those bytes.
 */
@inline export function cellPrefix(p: usize, length: u32): u64 {
  return bswap<u64>(word64(p)) & prefixMask(length)
}

/** Length of the common prefix of two keys. */
export function commonPrefix(a: usize, alen: u32, b: usize, blen: u32): u32 {
  const n = alen < blen ? alen : blen
  let i: u32 = 0
  while (i + 8 <= n) {
    const x = word64(a + i) ^ word64(b + i)
    if (x != 0) return i + (<u32>ctz<u64>(x) >>> 3)
    i += 8
  }
  while (i < n && byteAt(a + i) == byteAt(b + i)) i++
  return i
}

/**
 * Orders stored key (c, cl, prefix cp) against search key (k, kl, prefix kp): when the prefixes tie and one
 * key is shorter than 8 bytes, it is a prefix of the other, so the lengths decide.
 */
@inline export function compareWithPrefix(c: usize, cl: u32, cp: u64, k: usize, kl: u32, kp: u64): i32 {
  if (cp != kp) return cp < kp ? -1 : 1
  if (cl >= 8 && kl >= 8) return compareKeys(c + 8, cl - 8, k + 8, kl - 8)
  return <i32>cl - <i32>kl
}

/** Copies n bytes between non-overlapping regions; up to 256 bytes with v128 moves (no bulk-memory call). */
@inline export function copyBytes(dst: usize, src: usize, n: usize): void {
  if (n < 16) {
    if (n >= 8) {
      store<u64>(dst, word64(src))
      store<u64>(dst + n - 8, word64(src + n - 8))
    } else if (n >= 4) {
      store<u32>(dst, word32(src))
      store<u32>(dst + n - 4, word32(src + n - 4))
    } else {
      for (let i: usize = 0; i < n; i++) store<u8>(dst + i, <u8>byteAt(src + i))
    }
  } else if (n <= 256) {
    let i: usize = 0
    while (i + 16 <= n) {
      v128.store(dst + i, v128.load(src + i))
      i += 16
    }
    if (i < n) v128.store(dst + n - 16, v128.load(src + n - 16))
  } else {
    memory.copy(dst, src, n)
  }
}
