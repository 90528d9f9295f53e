/**
 * Invariant messages: short ASCII explanations written to the output buffer next to E_INVARIANT.
 * Owns: the message record format at the start of the output buffer.
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | message length n |
 * | 4 | n | ASCII text, e.g. `page 7: keys not ascending at slot 3` |
 *
 * Invariants:
 *   (1) Writing never goes past the output buffer (the text is truncated instead).
 *   (2) Only written when the export returns E_INVARIANT, so it never clobbers results the caller reads.
 * Not here: the mapping to RustyError (engine/wasm/errors.ts).
 */
import { outCap, outPtr } from './regions'
import { E_INVARIANT, fail } from './status'

let length: u32 = 0

@inline function setMessageLength(n: u32): void {
  store<u32>(outPtr, n)
}

@inline function setMessageChar(i: u32, ch: u32): void {
  store<u8>(outPtr + 4 + <usize>i, <u8>ch)
}

function putChar(ch: u32): void {
  if (<usize>length + 4 < outCap) {
    setMessageChar(length, ch)
    length++
  }
  setMessageLength(length)
}

/** Starts a new message. */
export function messageStart(): void {
  length = 0
  setMessageLength(0)
}

/** Appends ASCII text. */
export function messageText(s: string): void {
  for (let i = 0; i < s.length; i++) putChar(<u32>s.charCodeAt(i))
}

/** Appends a decimal number. */
export function messageNumber(n: u32): void {
  let div: u32 = 1
  while (n / div >= 10) div *= 10
  while (div > 0) {
    putChar(48 + (n / div) % 10)
    div /= 10
  }
}

/** Writes `text` as the message and returns E_INVARIANT. */
export function invariant(text: string): i32 {
  messageStart()
  messageText(text)
  return fail(E_INVARIANT)
}

/** Writes "page N: text" as the message and returns E_INVARIANT. */
export function invariantAt(page: u32, text: string): i32 {
  messageStart()
  messageText('page ')
  messageNumber(page)
  messageText(': ')
  messageText(text)
  return fail(E_INVARIANT)
}
