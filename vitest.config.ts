import { defineConfig } from 'vitest/config';

// .ci/run asks for a JSON report so it can print the plain "N passed, N failed" line.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Once per run: says in one line that the schema checks are skipped when the schemas are absent.
    globalSetup: ['test/support/schemas-setup.ts', 'test/support/postgres-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
