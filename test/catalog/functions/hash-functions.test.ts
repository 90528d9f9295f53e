/**
 * hashtext / hashBytes (engine/catalog/functions/hash-functions.ts invariant 1): PostgreSQL 16's values,
 * recorded from PostgreSQL (PGlite 0.5, `SELECT hashtext(...)`), for every tail length 0-11 and more than
 * one 12-byte block.
 */
import { describe, expect, it } from 'vitest'
import { hashText } from '../../../engine/catalog/functions/hash-functions.js'

const POSTGRES: [string, number][] = [
  ['', -1477818771],
  ['a', 1075015857],
  ['ab', 1718550461],
  ['abc', -785388649],
  ['abcd', -393934804],
  ['hello', -1870292951],
  ['123456789012', -2102057603],
  ['kysely_migration_lock', 777222841],
  ['The quick brown fox jumps', 1370806276],
  ['ünïcødé €', 1550700126],
  ['1234567890123456789012345', -1736421481],
]

describe('hashtext', () => {
  it("matches PostgreSQL's hashtext", () => {
    expect(POSTGRES.map(([s]) => [s, hashText(s)])).toEqual(POSTGRES)
  })
})
