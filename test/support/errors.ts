/**
 * The RustyError a promise rejects with: tests of error paths share it, so each asserts the code it expects.
 */
import { expect } from 'vitest'
import { RustyError } from '../../engine/common/index.js'

/** The RustyError `p` rejects with (fails when it resolves, or rejects with something else). */
export async function rustyError(p: Promise<unknown>): Promise<RustyError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(RustyError)
    return err as RustyError
  }
  throw new Error('expected a RustyError')
}
