/**
 * Known failures of the shared sqllogictest corpus in `npm test` (test/slt/corpus.test.ts).
 * Owns: the list of corpus records allowed to fail, each with the reason it fails.
 * Invariants:
 *   (1) `file` is relative to the corpus folder with '/' separators (`evidence/in1.test`); `lines` are the lines
 *       of the records' `statement` / `query` lines, as `npm run slt` reports them (one reason may cover many
 *       records, e.g. every `+ textcol` of a file).
 *   (2) Every entry has a reason a reader can check (e.g. "SQLite-only syntax: INSERT OR REPLACE"). An entry
 *       whose record now passes fails the test: remove it.
 * The README lists the same failures for the whole corpus (`npm run slt`).
 */

/** Corpus records of one file that are allowed to fail, and why. */
export interface KnownFailure {
  readonly file: string
  readonly lines: readonly number[]
  readonly reason: string
}

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  {
    file: 'evidence/in1.test',
    lines: [279, 290],
    reason: 'Comparing the literal \'hello\' with an INTEGER column: PostgreSQL casts the literal to integer and raises 22P02; SQLite compares storage classes.',
  },
  {
    file: 'evidence/in1.test',
    lines: [313, 324],
    reason: 'x\'303132\' is a blob literal in SQLite but a bit-string literal in PostgreSQL; RustyDB has no bit type yet (0A000).',
  },
  {
    file: 'evidence/in2.test',
    lines: [81, 88, 95, 102, 109, 119, 129, 139],
    reason: 'SQLite-only syntax: an empty IN list `IN ()` is a syntax error in PostgreSQL (42601).',
  },
  {
    file: 'evidence/slt_lang_createtrigger.test',
    lines: [24, 39, 42, 45, 80, 83, 86, 89, 92, 95, 191, 194, 197, 200, 203, 206, 209, 212, 215, 218],
    reason: 'SQLite trigger syntax (statements between BEGIN and END); PostgreSQL triggers call functions, and RustyDB has no triggers yet (0A000).',
  },
  {
    file: 'evidence/slt_lang_droptrigger.test',
    lines: [24, 27, 44],
    reason: 'SQLite trigger syntax (statements between BEGIN and END); PostgreSQL triggers call functions, and RustyDB has no triggers yet (0A000).',
  },
  {
    file: 'evidence/slt_lang_replace.test',
    lines: [38, 48, 58, 68],
    reason: 'SQLite-only syntax: INSERT OR REPLACE / REPLACE INTO (PostgreSQL uses ON CONFLICT).',
  },
  {
    file: 'evidence/slt_lang_replace.test',
    lines: [42, 51, 62, 71],
    reason: 'Follows from the INSERT OR REPLACE records above: the row was not replaced.',
  },
  {
    file: 'evidence/slt_lang_update.test',
    lines: [88],
    reason: 'SQLite accepts several assignments to one column in one UPDATE; PostgreSQL rejects it (42601).',
  },
  {
    file: 'evidence/slt_lang_update.test',
    lines: [98, 104],
    reason: 'Follows from the rejected multiple-assignment UPDATE above: x keeps its old value.',
  },
  {
    file: 'index/random/10/slt_good_0.test',
    lines: [269, 274, 279, 284, 289, 739, 743, 747, 751, 755, 1339, 1344, 1349, 1354, 1359, 1714, 1718, 1722, 1726, 1730, 3744, 3749, 3754, 3759, 3764, 4119, 4124, 4129, 4134, 4139, 6664, 6668, 6672, 6676, 6680, 7029, 7033, 7037, 7041, 7045, 7519, 7523, 7527, 7531, 7535, 7735, 7745, 7755, 7765, 7775, 8464, 8468, 8472, 8476, 8480, 9859, 9863, 9867, 9871, 9875, 10864, 10868, 10872, 10876, 10880, 12449, 12453, 12457, 12461, 12465, 12759, 12763, 12767, 12771, 12775, 13109, 13113, 13117, 13121, 13125, 13594, 13598, 13602, 13606, 13610, 14239, 14244, 14249, 14254, 14259, 14464, 14468, 14472, 14476, 14480, 14959, 14963, 14967, 14971, 14975, 15219, 15223, 15227, 15231, 15235, 15239, 15244, 15249, 15254, 15259, 16229, 16233, 16237, 16241, 16245, 17389, 17393, 17397, 17401, 17405, 18664, 18668, 18672, 18676, 18680, 21104, 21108, 21112, 21116, 21120, 21169, 21174, 21179, 21184, 21189, 21601, 21613, 21625, 21637, 21649, 21901, 21913, 21925, 21937, 21949, 23054, 23059, 23064, 23069, 23074, 23409, 23413, 23417, 23421, 23425, 23655, 23665, 23675, 23685, 23695, 23699, 23703, 23707, 23711, 23715, 23901, 23913, 23925, 23937, 23949, 25339, 25343, 25347, 25351, 25355, 25539, 25543, 25547, 25551, 25555, 27529, 27533, 27537, 27541, 27545, 27549, 27554, 27559, 27564, 27569, 28254, 28258, 28262, 28266, 28270, 30144, 30148, 30152, 30156, 30160, 30344, 30348, 30352, 30356, 30360, 33864, 33868, 33872, 33876, 33880, 35364, 35368, 35372, 35376, 35380, 35755, 35765, 35775, 35785, 35795, 36339, 36343, 36347, 36351, 36355, 37184, 37188, 37192, 37196, 37200, 38174, 38178, 38182, 38186, 38190, 38619, 38623, 38627, 38631, 38635, 41159, 41163, 41167, 41171, 41175, 41594, 41598, 41602, 41606, 41610, 42369, 42374, 42379, 42384, 42389, 44304, 44308, 44312, 44316, 44320, 44609, 44613, 44617, 44621, 44625, 44629, 44633, 44637, 44641, 44645, 45069, 45074, 45079, 45084, 45089, 45544, 45549, 45554, 45559, 45564, 46899, 46904, 46909, 46914, 46919, 47444, 47449, 47454, 47459, 47464, 48969, 48973, 48977, 48981, 48985, 51449, 51454, 51459, 51464, 51469, 51914, 51919, 51924, 51929, 51934, 52329, 52333, 52337, 52341, 52345, 56654, 56659, 56664, 56669, 56674],
    reason: 'SQLite-ism: unary + on a TEXT column. PostgreSQL has no unary + for text and raises 42883; so does RustyDB.',
  },
  {
    file: 'random/expr/slt_good_0.test',
    lines: [46601],
    reason: 'NULLIF(integer, numeric) is numeric in PostgreSQL (AVG of integers is numeric), so the division that follows is not integer division: 58 where SQLite gets 0.',
  },
]
