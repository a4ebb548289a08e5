import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// A real core, a real PostgreSQL and Redis, a real Chromium: one file at a time, one worker,
// and timeouts sized for a shared two-core machine rather than a laptop.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
