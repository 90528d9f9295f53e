import { defineConfig } from 'vitest/config'

/** End-to-end tests in real Chromium (playwright-core driving Debian's chromium). */
export default defineConfig({
  test: {
    include: ['e2e/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
