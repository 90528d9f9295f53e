/**
 * MD5 (RFC 1321) for md5(text) / md5(bytea): synchronous, no platform crypto (the engine also runs in
 * browsers and workers where SubtleCrypto is async-only and has no MD5).
 * Ported from the RFC's reference algorithm (per-round shift amounts and sine-derived constants).
 */
const S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
const K = new Int32Array(64)
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0

/** Lower-case hex MD5 digest of bytes. */
export function md5Hex(input: Uint8Array): string {
  const len = input.length
  const total = (((len + 8) >> 6) + 1) << 6
  const buf = new Uint8Array(total)
  buf.set(input)
  buf[len] = 0x80
  const view = new DataView(buf.buffer)
  view.setUint32(total - 8, (len * 8) >>> 0, true)
  view.setUint32(total - 4, Math.floor(len / 0x20000000), true)
  let a0 = 0x67452301
  let b0 = 0xefcdab89 | 0
  let c0 = 0x98badcfe | 0
  let d0 = 0x10325476
  const M = new Int32Array(16)
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) M[i] = view.getInt32(off + i * 4, true)
    let a = a0
    let b = b0
    let c = c0
    let d = d0
    for (let i = 0; i < 64; i++) {
      let f: number
      let g: number
      if (i < 16) {
        f = (b & c) | (~b & d)
        g = i
      } else if (i < 32) {
        f = (d & b) | (~d & c)
        g = (5 * i + 1) & 15
      } else if (i < 48) {
        f = b ^ c ^ d
        g = (3 * i + 5) & 15
      } else {
        f = c ^ (b | ~d)
        g = (7 * i) & 15
      }
      const tmp = d
      d = c
      c = b
      const x = (a + f + K[i] + M[g]) | 0
      b = (b + ((x << S[i]) | (x >>> (32 - S[i])))) | 0
      a = tmp
    }
    a0 = (a0 + a) | 0
    b0 = (b0 + b) | 0
    c0 = (c0 + c) | 0
    d0 = (d0 + d) | 0
  }
  let out = ''
  for (const w of [a0, b0, c0, d0]) for (let i = 0; i < 4; i++) out += ((w >>> (8 * i)) & 0xff).toString(16).padStart(2, '0')
  return out
}
