/**
 * Key comparison and small copies: the innermost loops of every search and scan.
 * Owns: the byte order of keys.
 * Invariants:
 *   (1) Keys compare as unsigned bytes (memcmp); when one key is a prefix of the other, the shorter sorts first.
 *   (2) Reads never go outside [a, a+alen) and [b, b+blen) (keys can sit at the very end of memory).
 * Eight bytes are compared per step: two little-endian u64 loads, and on the first difference their
 * byte-swapped (big-endian) values order the keys. A v128 compare would halve the steps for long keys,
 * but the common key is short (8..32 bytes) and the scalar loop has no mask/ctz tail cost.
 * Not here: order-preserving encoding of SQL values (engine/storage/key-codec.ts).
 */

/** Negative, zero or positive as key a sorts before, equal to or after key b (invariant 1). */
export function compareKeys(a: usize, alen: u32, b: usize, blen: u32): i32 {
  const n = alen < blen ? alen : blen
  let i: u32 = 0
  while (i + 8 <= n) {
    const x = load<u64>(a + i)
    const y = load<u64>(b + i)
    if (x != y) return bswap<u64>(x) < bswap<u64>(y) ? -1 : 1
    i += 8
  }
  if (i < n) {
    if (n >= 8) {
      const x = load<u64>(a + n - 8)
      const y = load<u64>(b + n - 8)
      if (x != y) return bswap<u64>(x) < bswap<u64>(y) ? -1 : 1
    } else {
      if (n >= 4) {
        const x = load<u32>(a)
        const y = load<u32>(b)
        if (x != y) return bswap<u32>(x) < bswap<u32>(y) ? -1 : 1
        const u = load<u32>(a + n - 4)
        const v = load<u32>(b + n - 4)
        if (u != v) return bswap<u32>(u) < bswap<u32>(v) ? -1 : 1
      } else {
        do {
          const x = <i32>load<u8>(a + i)
          const y = <i32>load<u8>(b + i)
          if (x != y) return x - y
        } while (++i < n)
      }
    }
  }
  return <i32>alen - <i32>blen
}

/** Copies n bytes (non-overlapping); short copies avoid the bulk-memory call overhead. */
@inline export function copyBytes(dst: usize, src: usize, n: usize): void {
  if (n <= 32) {
    let i: usize = 0
    while (i + 8 <= n) {
      store<u64>(dst + i, load<u64>(src + i))
      i += 8
    }
    while (i < n) {
      store<u8>(dst + i, load<u8>(src + i))
      i++
    }
  } else {
    memory.copy(dst, src, n)
  }
}
