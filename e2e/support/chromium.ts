/**
 * Launching the browser the e2e suites run in: Debian's chromium (or CHROMIUM_PATH) through playwright-core.
 * Invariants:
 *   (1) A missing browser fails the run with the command that installs it; the suites never skip silently.
 *   (2) Every launch is headless with background traffic (updates, sync, QUIC) turned off.
 *   (3) A profile on disk (a user-data-dir) is what users have: OPFS lives in files there and survives a
 *       browser restart. An off-the-record context keeps OPFS in memory (a different Chromium code path).
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

/** Flags for a quiet headless Chromium in a container. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
] as const

/** The Chromium binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
}

/** Throws with install instructions when the Chromium binary is missing (invariant 1). */
export function requireChromium(): string {
  const executablePath = chromiumPath()
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. The browser tests need it: install Debian's chromium with ` +
        '`apt-get install -y chromium` (as root), or point CHROMIUM_PATH at a Chromium/Chrome binary.',
    )
  }
  return executablePath
}

function launchFailed(executablePath: string, e: unknown): Error {
  return new Error(`could not launch Chromium at ${executablePath}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
}

/** Headless Chromium on the profile in `userDataDir` (created when empty; invariant 3). */
export async function launchChromiumProfile(userDataDir: string): Promise<BrowserContext> {
  const executablePath = requireChromium()
  try {
    return await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: [...CHROMIUM_ARGS] })
  } catch (e) {
    throw launchFailed(executablePath, e)
  }
}

/** Headless Chromium without a profile; its contexts are off the record (OPFS in memory). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = requireChromium()
  try {
    return await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] })
  } catch (e) {
    throw launchFailed(executablePath, e)
  }
}
