/** Chromium with OPFS (Debian's chromium, or CHROMIUM_PATH). */
import { chromiumOpfs } from './support/browser-harness.js'
import { browserSuites } from './suites/index.js'

browserSuites(chromiumOpfs)
