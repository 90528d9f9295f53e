/** rustydb/web in Chromium (Debian's chromium, or CHROMIUM_PATH): OPFS, IndexedDB, tabs, crashes. */
import { chromiumOpfs } from './support/browser-harness.js'
import { webSuites } from './suites/index.js'

webSuites(chromiumOpfs)
