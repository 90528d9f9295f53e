import { defineConfig } from 'vitest/config'

/** Unit and integration tests (Node). Browser tests live in e2e/ and run with vitest.e2e.config.ts. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
