/**
 * engine/common/values: SQL value semantics shared by every layer (PostgreSQL's behaviour).
 * Owns: Decimal (numeric), Interval, comparison and hashing, text input/output, JS conversion, type names.
 * Not here: casts, operators and functions (engine/catalog/functions), row and key encodings (engine/catalog).
 */
export { Decimal, pow10, selectDivScale } from './decimal.js'
export { Interval, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from './interval.js'
export { bpcharTrim, comparatorFor, compareText, compareValues, hashKey, rowHashKey, type Comparator } from './compare.js'
export {
  applyCharLength,
  charLength,
  charPrefix,
  formatArray,
  formatBytea,
  formatFloat4,
  formatFloat8,
  formatValue,
  parseBool,
  parseBytea,
  parseFloat8,
  parseInt32,
  parseInt64,
  parseUuid,
  parseValue,
} from './text.js'
export {
  addInterval,
  addIntervalTz,
  addMonths,
  checkDate,
  checkTimestamp,
  civilFromDays,
  dateOfTimestamp,
  daysFromCivil,
  daysInMonth,
  formatDate,
  formatInterval,
  formatOffset,
  formatTime,
  formatTimestamp,
  isLeapYear,
  parseDate,
  parseInterval,
  parseTime,
  parseTimestamp,
} from './datetime.js'
export {
  JSON_NULL,
  jsonToJs,
  jsToJson,
  normalizeJsonb,
  parseJson,
  quoteJsonString,
  stringifyJson,
  toJsonb,
  type JsonNode,
} from './json.js'
export { dateToTimestamp, fromJs, inferType, toJs, typeFromName } from './js.js'
export {
  fromLocal,
  isValidTimeZone,
  sessionOffset,
  sessionTimeZone,
  setSessionTimeZone,
  toLocal,
  zoneOffset,
} from './timezone.js'
