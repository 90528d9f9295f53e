/**
 * engine/catalog: what the database contains (schemas, tables, indexes, views, sequences), stored in the
 * database itself (`__catalog`), plus row and key encoding and the function library (functions/).
 */
export type * from './schema.js'
export {
  BUILTIN_SCHEMAS,
  CATALOG_TREE,
  CatalogState,
  SEQUENCE_TREE,
  TEMP_SCHEMA,
  deepFreeze,
  indexTree,
  tableTree,
  type RelationKind,
  type SchemaDef,
} from './catalog-state.js'
export { decodeFullRow, decodeRow, encodeRow } from './row-codec.js'
export { appendKeyValue, encodeKeyValues, numericKeyBytes, type ValueKeyDirection } from './value-key.js'
export {
  HISTOGRAM_BOUNDS,
  MOST_COMMON_VALUES,
  Reservoir,
  SAMPLE_ROWS,
  STATS_TREE,
  columnStats,
  computeColumnStats,
  decodeAnalyzed,
  decodeRowCount,
  encodeAnalyzed,
  encodeRowCount,
  isOrderedType,
  statsKey,
  statsScalar,
  type AnalyzedStats,
  type ColumnStats,
  type TableStats,
} from './table-stats.js'
