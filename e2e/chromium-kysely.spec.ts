/** Kysely (rustydb/kysely) on rustydb/web in Chromium (Debian's chromium, or CHROMIUM_PATH), on OPFS. */
import { chromiumOpfs } from './support/browser-harness.js'
import { webKyselySuites } from './suites/index.js'

webKyselySuites(chromiumOpfs)
