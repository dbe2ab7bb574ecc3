import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests use the SDK's source, so they need no build of it.
    alias: { '@parley/client': new URL('packages/client/src/index.ts', import.meta.url).pathname },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'bench/src/**/*.test.ts',
    ],
    globalSetup: ['packages/server/test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './packages/server/test/support/summary-reporter.ts'],
  },
});
