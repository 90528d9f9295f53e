/**
 * Memory regions of the WASM core: a bump allocator over linear memory, plus the two I/O buffers.
 * Owns: where every region lives, growing memory, the input and output buffers.
 * Invariants:
 *   (1) Regions are carved once, at `init`, from `__heap_base` upwards, 64-byte aligned; nothing is ever freed.
 *   (2) Only `init`, `ensureInput` and `ensureOutput` grow memory, so JS views stay valid across every other
 *       export (engine/wasm re-reads `memory.buffer` after those three).
 *   (3) A buffer that must grow is extended in place when it is the topmost region, else moved to the top
 *       (its old space is abandoned); capacities at least double, so the waste stays below the live size.
 *   (4) Growing a buffer does not preserve its content: callers grow before they write.
 * Layout after init (addresses grow to the right):
 *
 *   __heap_base | frame table | page hash | pin stack | scratch pages | cell list | work arena | ... |
 *               | frames (cachePages x pageSize) | input buffer | output buffer | (moved buffers) ... | top
 *
 * Not here: what the regions contain (buffer-pool.ts, node.ts, btree.ts).
 */
import { E_OUTPUT, fail } from './status'

const ALIGN: usize = 64
const WASM_PAGE: usize = 65536

let heapTop: usize = 0

/** Start and capacity of the input buffer (batch inputs: keys, values, bounds). */
export let inPtr: usize = 0
export let inCap: usize = 0
/** Start and capacity of the output buffer (batch results). */
export let outPtr: usize = 0
export let outCap: usize = 0

/** True once `init` carved the regions. */
export function regionsReady(): bool {
  return heapTop != 0
}

/** First address after the last region (for the memory-baseline tests). */
export function regionsTop(): usize {
  return heapTop
}

function ensureMemory(end: usize): bool {
  const needPages = <i32>((end + WASM_PAGE - 1) / WASM_PAGE)
  const havePages = memory.size()
  if (needPages <= havePages) return true
  return memory.grow(needPages - havePages) >= 0
}

/** Starts the bump allocator just above the static data. */
export function regionsStart(): void {
  heapTop = (__heap_base + ALIGN - 1) & ~(ALIGN - 1)
}

/**
 * Carves `size` bytes (zeroed: fresh memory is zero) at the top, aligned to `align` (a power of two >= 64);
 * returns 0 when memory cannot grow.
 */
export function regionAlloc(size: usize, align: usize = ALIGN): usize {
  const start = (heapTop + align - 1) & ~(align - 1)
  const end = (start + size + ALIGN - 1) & ~(ALIGN - 1)
  if (end < start || end > 0xffff_0000) return 0
  if (!ensureMemory(end)) return 0
  heapTop = end
  return start
}

function grownCapacity(cap: usize, need: usize): usize {
  let next = cap << 1
  if (next < need) next = need
  return (next + WASM_PAGE - 1) & ~(WASM_PAGE - 1)
}

function growBuffer(ptr: usize, cap: usize, need: usize): usize {
  const next = grownCapacity(cap, need)
  if (ptr + cap == heapTop) {
    const end = ptr + next
    if (end < ptr || !ensureMemory(end)) return 0
    heapTop = end
    return ptr
  }
  return regionAlloc(next)
}

/** Makes the input buffer at least `need` bytes (invariant 4). Returns 0, or E_OUTPUT when memory is exhausted. */
export function ensureInput(need: usize): i32 {
  if (need <= inCap) return 0
  const next = grownCapacity(inCap, need)
  const ptr = growBuffer(inPtr, inCap, need)
  if (ptr == 0) return fail(E_OUTPUT)
  inPtr = ptr
  inCap = next
  return 0
}

/** Makes the output buffer at least `need` bytes (invariant 4). Returns 0, or E_OUTPUT when memory is exhausted. */
export function ensureOutput(need: usize): i32 {
  if (need <= outCap) return 0
  const next = grownCapacity(outCap, need)
  const ptr = growBuffer(outPtr, outCap, need)
  if (ptr == 0) return fail(E_OUTPUT)
  outPtr = ptr
  outCap = next
  return 0
}

/** Sets up the I/O buffers (called by init after the other regions). */
export function buffersInit(inputBytes: usize, outputBytes: usize): bool {
  inPtr = regionAlloc(inputBytes)
  inCap = inputBytes
  outPtr = regionAlloc(outputBytes)
  outCap = outputBytes
  return inPtr != 0 && outPtr != 0
}
