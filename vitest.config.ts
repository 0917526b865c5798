// Test runner settings: real HTTP fakes on 127.0.0.1, so give network tests room and run files in parallel.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Builds the CLI once for the tests that run it as a child process.
    globalSetup: ['test/support/buildCli.ts'],
    // The JSON report is what .ci/run counts from.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
